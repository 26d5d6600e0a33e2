// Delivery status notifications ("bounces"), RFC 3464 multipart/report.
#pragma once

#include <string>
#include <vector>

namespace net::message {

struct FailedRecipient {
  std::string address;
  std::string status;      // enhanced status code, e.g. "5.1.1"
  std::string diagnostic;  // the remote server's reply, e.g. "550 5.1.1 User unknown"
};

struct DsnInfo {
  std::string reporting_mta;  // host name of the server writing the report
  std::string postmaster;     // From: address, e.g. MAILER-DAEMON@smtp.sender.example
  std::string to;             // the original envelope sender
  std::string date;           // RFC 5322 date-time
  std::string message_id;     // without angle brackets
  std::string boundary;       // MIME boundary (deterministic in the simulator)
  std::vector<FailedRecipient> failed;
  std::string original;  // the original message (only its header is quoted back)
};

// A complete RFC 5322 message (CRLF line ends) that people and programs can read.
std::string make_dsn(const DsnInfo& d);

}  // namespace net::message
