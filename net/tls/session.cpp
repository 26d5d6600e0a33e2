#include "net/tls/session.hpp"

#include <ctime>

#include "net/tls/context.hpp"
#include "net/tls/openssl_util.hpp"

namespace net::tls {

namespace {

std::string subject_of(X509* x) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
  return buf;
}

}  // namespace

const char* handshake_type_name(unsigned type) {
  switch (type) {  // RFC 8446 §4, RFC 5246 §7.4
    case 1:
      return "ClientHello";
    case 2:
      return "ServerHello";
    case 4:
      return "NewSessionTicket";
    case 5:
      return "EndOfEarlyData";
    case 8:
      return "EncryptedExtensions";
    case 11:
      return "Certificate";
    case 12:
      return "ServerKeyExchange";
    case 13:
      return "CertificateRequest";
    case 14:
      return "ServerHelloDone";
    case 15:
      return "CertificateVerify";
    case 16:
      return "ClientKeyExchange";
    case 20:
      return "Finished";
    case 24:
      return "KeyUpdate";
    default:
      return nullptr;
  }
}

Session::Session(std::shared_ptr<Context> ctx, Role role, std::string server_name,
                 std::string resume_key)
    : ctx_(std::move(ctx)),
      role_(role),
      server_name_(std::move(server_name)),
      resume_key_(std::move(resume_key)) {
  ssl_ = SSL_new(ctx_->get());
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(rbio, -1);  // "no data yet", not end of file
  SSL_set_bio(ssl_, rbio, wbio);
  SSL_set_msg_callback(ssl_, &Session::on_message);
  SSL_set_msg_callback_arg(ssl_, this);
  if (role_ == Role::Client) {
    if (!server_name_.empty()) {
      SSL_set_tlsext_host_name(ssl_, server_name_.c_str());
      if (ctx_->verifies()) SSL_set1_host(ssl_, server_name_.c_str());
    }
    if (!resume_key_.empty()) {
      SSL_set_ex_data(ssl_, resume_key_index(), &resume_key_);
      // Only a session kept for this very name (the certificate is not checked again).
      if (SSL_SESSION* kept = ctx_->take_session(resume_key_, server_name_)) {
        if (ctx_->zero_ticket_age()) SSL_SESSION_set_time(kept, static_cast<long>(time(nullptr)));
        SSL_set_session(ssl_, kept);  // takes its own reference
        SSL_SESSION_free(kept);
      }
    }
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
}

Session::~Session() {
  SSL_free(ssl_);
}

void Session::on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL*,
                         void* arg) {
  auto* s = static_cast<Session*>(arg);
  const auto* b = static_cast<const unsigned char*>(buf);
  if (content_type == SSL3_RT_HANDSHAKE && len > 0) {
    const char* name = handshake_type_name(b[0]);
    s->events_.push_back({write_p != 0, name ? name : "Handshake", len});
  } else if (content_type == SSL3_RT_ALERT && len >= 2) {
    s->events_.push_back(
        {write_p != 0, std::string("Alert: ") + SSL_alert_desc_string_long(b[1]), len});
  } else if (content_type == SSL3_RT_CHANGE_CIPHER_SPEC) {
    s->events_.push_back({write_p != 0, "ChangeCipherSpec", len});
  }
}

void Session::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

void Session::start() {
  pump();
}

void Session::pump() {
  if (failed()) return;
  if (!established_) {
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      established_ = true;
    } else {
      int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        // Only a verifying client fails for its verification; a session resumed by one that
        // does not verify carries the old (failed) result, which is not this failure's cause.
        long v = SSL_get_verify_result(ssl_);
        if (role_ == Role::Client && ctx_->verifies() && v != X509_V_OK)
          fail(std::string("certificate verification failed: ") + X509_verify_cert_error_string(v));
        else
          fail("TLS handshake failed: " + openssl_error());
        return;
      }
    }
  }
  if (!established_) return;
  if (!pending_.empty()) {
    int n = SSL_write(ssl_, pending_.data(), static_cast<int>(pending_.size()));
    if (n > 0) pending_.erase(0, static_cast<std::size_t>(n));
  }
  char buf[16384];
  for (;;) {
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      plain_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_ZERO_RETURN)
      peer_closed_ = true;
    else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
      fail("TLS error: " + openssl_error());
    break;
  }
}

void Session::feed(std::string_view cipher) {
  BIO_write(SSL_get_rbio(ssl_), cipher.data(), static_cast<int>(cipher.size()));
  pump();
}

std::string Session::take_wire() {
  std::string out = bio_string(SSL_get_wbio(ssl_));
  (void)BIO_reset(SSL_get_wbio(ssl_));
  return out;
}

void Session::write(std::string_view plain) {
  pending_.append(plain);
  pump();
}

std::string Session::take_plain() {
  std::string out;
  out.swap(plain_);
  return out;
}

void Session::close() {
  if (established_ && !failed()) SSL_shutdown(ssl_);
}

std::vector<HandshakeEvent> Session::take_events() {
  std::vector<HandshakeEvent> e;
  e.swap(events_);
  return e;
}

Info Session::info() const {
  Info i;
  i.version = SSL_get_version(ssl_);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl_)) i.cipher = SSL_CIPHER_get_name(c);
  if (const char* sn = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name)) i.server_name = sn;
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_))
    for (int k = 0; k < sk_X509_num(chain); ++k)
      i.peer_chain.push_back(subject_of(sk_X509_value(chain, k)));
  if (X509* peer = SSL_get0_peer_certificate(ssl_)) {
    char buf[512];
    X509_NAME_oneline(X509_get_issuer_name(peer), buf, sizeof buf);
    i.peer_issuer = buf;
  }
  long v = SSL_get_verify_result(ssl_);
  i.verify = v == X509_V_OK ? "ok" : X509_verify_cert_error_string(v);
  i.resumed = SSL_session_reused(ssl_) == 1;
  return i;
}

}  // namespace net::tls
