#include "sim/compose.hpp"

#include "net/base64.hpp"
#include "net/message/message.hpp"

namespace sim {

namespace {

std::string to_crlf(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

bool is_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// A text part's header lines and body. 8bit needs the 8BITMIME path (RFC 6152), which the
// simulated servers offer.
std::string text_part(const std::string& subtype, const std::string& text) {
  const bool ascii = is_ascii(text);
  return "Content-Type: text/" + subtype + "; charset=" + (ascii ? "us-ascii" : "utf-8") +
         "\r\nContent-Transfer-Encoding: " + (ascii ? "7bit" : "8bit") + "\r\n\r\n" + to_crlf(text);
}

// Base64 in lines of 76 characters (RFC 2045 §6.8).
std::string base64_lines(const std::string& bytes) {
  std::string b = net::base64_encode(bytes), out;
  for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

std::string attachment_part(const LessonStep::Attachment& a) {
  return "Content-Type: " + a.type + "; name=\"" + a.name +
         "\"\r\nContent-Disposition: attachment; filename=\"" + a.name +
         "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64_lines(a.content);
}

// RFC 2046 §5.1.1: parts separated by "--boundary", closed by "--boundary--".
std::string multipart(const std::string& boundary, const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    out += "--";
    out += boundary;
    out += "\r\n";
    out += p;
  }
  return out + "--" + boundary + "--\r\n";
}

std::string header_of(const std::string& part) {
  return part.substr(0, part.find("\r\n\r\n"));
}
std::string body_of(const std::string& part) {
  return part.substr(part.find("\r\n\r\n") + 4);
}

}  // namespace

std::string compose_message(const Draft& d) {
  net::message::Message m;
  m.append("From", d.from);
  std::string to;
  for (const auto& a : d.to) to += (to.empty() ? "" : ", ") + a;
  m.append("To", to);
  m.append("Subject", d.subject);
  m.append("Date", d.date);
  m.append("Message-ID", d.message_id);
  m.append("MIME-Version", "1.0");

  std::string tag;
  for (char c : d.message_id)
    if (std::isalnum(static_cast<unsigned char>(c))) tag += c;
  std::string content = text_part("plain", d.text);
  if (!d.html.empty())
    content = "Content-Type: multipart/alternative; boundary=\"alt-" + tag + "\"\r\n\r\n" +
              multipart("alt-" + tag, {content, text_part("html", d.html)});
  if (!d.attachments.empty()) {
    std::vector<std::string> parts = {content};
    for (const auto& a : d.attachments) parts.push_back(attachment_part(a));
    content = "Content-Type: multipart/mixed; boundary=\"mix-" + tag + "\"\r\n\r\n" +
              multipart("mix-" + tag, parts);
  }
  // The outermost part's header fields belong to the message header.
  std::string head = header_of(content);
  for (std::size_t start = 0; start < head.size();) {
    std::size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    std::string field = head.substr(start, end - start);
    auto colon = field.find(':');
    m.append(field.substr(0, colon), field.substr(colon + 2));
    start = end + 2;
  }
  m.body = body_of(content);
  return m.serialize();
}

}  // namespace sim
