#include "sim/mail_summary.hpp"

#include "net/message/message.hpp"

namespace sim {

std::string mail_subject(const std::string& data) {
  return net::message::header_value(data, "Subject").value_or("(none)");
}

std::string mail_from(const std::string& data) {
  return net::message::header_value(data, "From").value_or("?");
}

std::string summary_line(const std::string& from, const std::string& subject) {
  return "From: " + from + " | Subject: " + subject;
}

std::string mail_summary(const std::string& data) {
  return summary_line(mail_from(data), mail_subject(data));
}

std::string join_flags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
  return out;
}

}  // namespace sim
