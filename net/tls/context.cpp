#include "net/tls/context.hpp"

#include <stdexcept>

#include "net/tls/cert_authority.hpp"
#include "net/tls/openssl_util.hpp"

namespace net::tls {

namespace {

// The context's Context*, for the key-log callback.
int context_index() {
  static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return idx;
}

void keylog_callback(const SSL* ssl, const char* line) {
  auto* c = static_cast<Context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
  if (c && c->keylog()) c->keylog()(line);
}

SSL_CTX* new_ctx(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (!ctx) throw std::runtime_error("TLS: " + openssl_error());
  // TLS 1.2 is the oldest version RFC 8996 and RFC 8314 still allow.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  return ctx;
}

}  // namespace

std::shared_ptr<Context> Context::server(const Pem& identity) {
  SSL_CTX* ctx = new_ctx(TLS_server_method());
  std::shared_ptr<Context> c(new Context(ctx, false));
  SSL_CTX_set_ex_data(ctx, context_index(), c.get());
  BioPtr bio(BIO_new_mem_buf(identity.chain.data(), static_cast<int>(identity.chain.size())));
  X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (!leaf || SSL_CTX_use_certificate(ctx, leaf) != 1) {
    X509_free(leaf);
    throw std::runtime_error("TLS: bad server certificate: " + openssl_error());
  }
  X509_free(leaf);
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    SSL_CTX_add0_chain_cert(ctx, extra);  // the context owns it now
  ERR_clear_error();                      // the loop ends on "no start line"
  BioPtr kb(BIO_new_mem_buf(identity.key.data(), static_cast<int>(identity.key.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr);
  if (!key || SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    EVP_PKEY_free(key);
    throw std::runtime_error("TLS: bad server key: " + openssl_error());
  }
  EVP_PKEY_free(key);
  SSL_CTX_set_keylog_callback(ctx, keylog_callback);
  return c;
}

std::shared_ptr<Context> Context::client(const ClientTrust& trust) {
  SSL_CTX* ctx = new_ctx(TLS_client_method());
  std::shared_ptr<Context> c(new Context(ctx, trust.verify));
  SSL_CTX_set_ex_data(ctx, context_index(), c.get());
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const auto& pem : trust.ca_pems) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!ca) throw std::runtime_error("TLS: bad CA certificate: " + openssl_error());
    X509_STORE_add_cert(store, ca);
    X509_free(ca);
  }
  if (!trust.ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx, trust.ca_file.c_str(), nullptr) != 1)
    throw std::runtime_error("TLS: cannot read CA file " + trust.ca_file + ": " + openssl_error());
  if (trust.system_store) SSL_CTX_set_default_verify_paths(ctx);
  if (trust.verify_time)
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), static_cast<time_t>(*trust.verify_time));
  // Verification failures end the handshake; the session reports why.
  SSL_CTX_set_verify(ctx, trust.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_keylog_callback(ctx, keylog_callback);
  return c;
}

Context::~Context() {
  SSL_CTX_free(ctx_);
}

void Context::set_keylog(std::function<void(const std::string&)> sink) {
  keylog_ = std::move(sink);
}

}  // namespace net::tls
