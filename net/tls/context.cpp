#include "net/tls/context.hpp"

#include <algorithm>
#include <stdexcept>

#include "net/tls/cert_authority.hpp"
#include "net/tls/openssl_util.hpp"

namespace net::tls {

namespace {

// The SSL_CTX's Context*, for the callbacks.
int context_index() {
  static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return idx;
}

Context* context_of(const SSL* ssl) {
  return static_cast<Context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
}

void keylog_callback(const SSL* ssl, const char* line) {
  Context* c = context_of(ssl);
  if (c && c->keylog()) c->keylog()(line);
}

// A client's new session (after a TLS 1.3 NewSessionTicket): a copy is kept under the
// connection's resumption key, if it has one. A copy, because OpenSSL marks the connection's
// own session not resumable when the connection is freed without a close_notify, which
// since TLS 1.1 must not stop resumption (RFC 5246 §7.2.1, RFC 8446 §6.1).
int new_session_callback(SSL* ssl, SSL_SESSION* sess) {
  const auto* key = static_cast<const std::string*>(SSL_get_ex_data(ssl, resume_key_index()));
  Context* c = context_of(ssl);
  if (key && !key->empty() && c)
    if (SSL_SESSION* copy = SSL_SESSION_dup(sess)) {
      const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      c->keep_session(*key, copy, name ? name : "");
    }
  return 0;  // OpenSSL keeps (and frees) the original
}

std::string session_id(const SSL_SESSION* sess) {
  unsigned len = 0;
  const unsigned char* id = SSL_SESSION_get_id(sess, &len);
  return std::string(reinterpret_cast<const char*>(id), len);
}

// A server's new session, named by the ticket it sends; a copy, as for clients.
int server_new_session(SSL* ssl, SSL_SESSION* sess) {
  if (Context* c = context_of(ssl))
    if (SSL_SESSION* copy = SSL_SESSION_dup(sess)) c->keep_session(session_id(copy), copy);
  return 0;
}

// A ticket presented by a client: handed to OpenSSL (with our reference) and forgotten, so a
// second use finds nothing and gets a full handshake.
SSL_SESSION* server_get_session(SSL* ssl, const unsigned char* id, int len, int* copy) {
  *copy = 0;
  Context* c = context_of(ssl);
  if (!c || len <= 0) return nullptr;
  return c->take_session(
      std::string(reinterpret_cast<const char*>(id), static_cast<std::size_t>(len)));
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
  // Sessions go to keep_session() only: OpenSSL's own client cache is keyed by nothing useful.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, new_session_callback);
  return c;
}

Context::~Context() {
  for (auto& [key, kept] : sessions_) SSL_SESSION_free(kept.session);
  SSL_CTX_free(ctx_);
}

void Context::keep_session(const std::string& key, SSL_SESSION* s, std::string server_name) {
  // A bound on what a long run can hold; the keys of a simulated world are far fewer. The
  // oldest goes first.
  constexpr std::size_t kMaxSessions = 4096;
  auto [it, fresh] = sessions_.try_emplace(key, Kept{s, ++kept_count_, server_name});
  if (!fresh) {
    SSL_SESSION_free(it->second.session);  // a newer ticket replaces the older (§4.6.1)
    it->second = Kept{s, kept_count_, std::move(server_name)};
  } else if (sessions_.size() > kMaxSessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.order < b.second.order;
    });
    SSL_SESSION_free(oldest->second.session);
    sessions_.erase(oldest);
  }
}

void Context::use_stateful_tickets() {
  SSL_CTX_set_options(ctx_, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx_, 1);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(ctx_, server_new_session);
  SSL_CTX_sess_set_get_cb(ctx_, server_get_session);
}

SSL_SESSION* Context::take_session(const std::string& key, const std::string& server_name) {
  auto it = sessions_.find(key);
  if (it == sessions_.end() || it->second.server_name != server_name) return nullptr;
  SSL_SESSION* s = it->second.session;
  sessions_.erase(it);
  return s;
}

void Context::set_keylog(std::function<void(const std::string&)> sink) {
  keylog_ = std::move(sink);
  // Without a sink OpenSSL should not format the lines at all (hex of every secret: 5 % of a
  // simulated TLS flow).
  SSL_CTX_set_keylog_callback(ctx_, keylog_ ? keylog_callback : nullptr);
}

}  // namespace net::tls
