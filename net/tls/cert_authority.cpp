#include "net/tls/cert_authority.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <stdexcept>

#include "net/tls/openssl_util.hpp"

namespace net::tls {

namespace {

EvpKey new_key(KeyType type) {
  EVP_PKEY* k = type == KeyType::Ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                         : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!k) throw std::runtime_error("TLS: cannot generate a key: " + openssl_error());
  return EvpKey(k);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("TLS: bad certificate extension: " + openssl_error());
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

bool is_ip(const std::string& s) {
  return s.find_first_not_of("0123456789.") == std::string::npos ||
         s.find(':') != std::string::npos;
}

X509Ptr make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                  long serial, std::optional<std::int64_t> now, long not_before, long not_after,
                  bool ca, const std::vector<std::string>& names) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  time_t base = now ? static_cast<time_t>(*now) : time(nullptr);
  X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, not_before, &base);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, not_after, &base);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mailsim"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : cert.get();
  if (ca) {
    add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), iss, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), iss, NID_ext_key_usage, "serverAuth");
    std::string san;
    for (const auto& n : names)
      san += std::string(san.empty() ? "" : ",") + (is_ip(n) ? "IP:" : "DNS:") + n;
    if (!san.empty()) add_ext(cert.get(), iss, NID_subject_alt_name, san);
  }
  add_ext(cert.get(), iss, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  // Ed25519 signs the message itself, so no digest is named (RFC 8410).
  const EVP_MD* md = EVP_PKEY_get_id(issuer_key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (!X509_sign(cert.get(), issuer_key, md))
    throw std::runtime_error("TLS: cannot sign a certificate: " + openssl_error());
  return cert;
}

std::string cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bio_string(bio.get());
}

std::string key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_string(bio.get());
}

constexpr long kHour = 3600, kDay = 24 * kHour;

}  // namespace

struct CertAuthority::Impl {
  std::optional<std::int64_t> now;
  EvpKey key;
  X509Ptr cert;
  std::string pem;
  KeyType type;
  mutable long serial = 2;
};

CertAuthority::CertAuthority(const std::string& common_name, KeyType type,
                             std::optional<std::int64_t> now)
    : impl_(new Impl) {
  impl_->now = now;
  impl_->type = type;
  impl_->key = new_key(type);
  impl_->cert = make_cert(impl_->key.get(), common_name, nullptr, impl_->key.get(), 1, now, -kHour,
                          3650 * kDay, true, {});
  impl_->pem = cert_to_pem(impl_->cert.get());
}

CertAuthority::~CertAuthority() = default;
CertAuthority::CertAuthority(CertAuthority&&) noexcept = default;
CertAuthority& CertAuthority::operator=(CertAuthority&&) noexcept = default;

const std::string& CertAuthority::cert_pem() const {
  return impl_->pem;
}

Pem CertAuthority::issue(const std::vector<std::string>& names, int days, bool expired) const {
  EvpKey key = new_key(impl_->type);
  const long from = expired ? -(days + 1) * kDay : -kHour;
  const long to = expired ? -kDay : days * kDay;
  X509Ptr cert =
      make_cert(key.get(), names.empty() ? "localhost" : names.front(), impl_->cert.get(),
                impl_->key.get(), impl_->serial++, impl_->now, from, to, false, names);
  Pem p;
  p.cert = cert_to_pem(cert.get());
  p.key = key_to_pem(key.get());
  p.chain = p.cert + impl_->pem;
  return p;
}

Pem self_signed(const std::vector<std::string>& names, KeyType type,
                std::optional<std::int64_t> now) {
  EvpKey key = new_key(type);
  // A CA:FALSE certificate signed by its own key: no trust store contains it.
  X509Ptr cert = make_cert(key.get(), names.empty() ? "localhost" : names.front(), nullptr,
                           key.get(), 1, now, -kHour, 30 * kDay, false, names);
  Pem p;
  p.cert = cert_to_pem(cert.get());
  p.key = key_to_pem(key.get());
  p.chain = p.cert;
  return p;
}

}  // namespace net::tls
