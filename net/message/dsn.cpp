#include "net/message/dsn.hpp"

namespace net::message {

static std::string header_part(const std::string& original) {
  auto end = original.find("\r\n\r\n");
  return end == std::string::npos ? original : original.substr(0, end + 2);
}

std::string make_dsn(const DsnInfo& d) {
  const std::string crlf = "\r\n";
  std::string m;
  m += "From: Mail Delivery System <" + d.postmaster + ">" + crlf;
  m += "To: <" + d.to + ">" + crlf;
  m += "Subject: Undelivered Mail Returned to Sender" + crlf;
  m += "Date: " + d.date + crlf;
  m += "Message-ID: <" + d.message_id + ">" + crlf;
  m += "Auto-Submitted: auto-replied" + crlf;  // RFC 3834: never answer this automatically
  m += "MIME-Version: 1.0" + crlf;
  m += "Content-Type: multipart/report; report-type=delivery-status;" + crlf;
  m += "\tboundary=\"" + d.boundary + "\"" + crlf;
  m += crlf;
  m += "This is a delivery status notification in MIME format." + crlf + crlf;

  // Part 1: the explanation for people.
  m += "--" + d.boundary + crlf;
  m += "Content-Type: text/plain; charset=us-ascii" + crlf + crlf;
  m += "This is the mail system at host " + d.reporting_mta + "." + crlf + crlf;
  m += "Your message could not be delivered to one or more recipients." + crlf;
  m += "The reason each one failed is given below." + crlf + crlf;
  for (const auto& f : d.failed) m += "<" + f.address + ">: " + f.diagnostic + crlf;
  m += crlf;

  // Part 2: the same facts for programs (RFC 3464 §2.2 and §2.3).
  m += "--" + d.boundary + crlf;
  m += "Content-Type: message/delivery-status" + crlf + crlf;
  m += "Reporting-MTA: dns; " + d.reporting_mta + crlf;
  m += "Arrival-Date: " + d.date + crlf;
  for (const auto& f : d.failed) {
    m += crlf;
    m += "Final-Recipient: rfc822; " + f.address + crlf;
    m += "Action: failed" + crlf;
    m += "Status: " + f.status + crlf;
    m += "Diagnostic-Code: smtp; " + f.diagnostic + crlf;
  }
  m += crlf;

  // Part 3: the original header, so the sender recognises the message.
  m += "--" + d.boundary + crlf;
  m += "Content-Type: text/rfc822-headers" + crlf + crlf;
  m += header_part(d.original);
  m += crlf + "--" + d.boundary + "--" + crlf;
  return m;
}

}  // namespace net::message
