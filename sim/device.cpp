#include "sim/device.hpp"

#include "net/message/message.hpp"
#include "sim/smtp_session.hpp"
#include "sim/world.hpp"

namespace sim {

Device::Device(World& world, const LessonHost& host) : world_(world), host_(host) {
  for (const auto& a : world.lesson().accounts)
    if (a.address == host.account) account_ = a;
}

static std::string to_crlf(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

static bool is_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string Device::compose(const LessonStep& step) {
  net::message::Message m;
  m.append("From", account_.address);
  std::string to;
  for (const auto& a : step.to) to += (to.empty() ? "" : ", ") + a;
  m.append("To", to);
  m.append("Subject", step.subject);
  m.append("Date", net::message::format_date(world_.unix_now()));
  m.append("Message-ID", "<" + std::to_string(++sent_) + "." +
                             std::to_string(world_.lesson().seed) + "@" + host_.name + ">");
  m.append("MIME-Version", "1.0");
  m.append("Content-Type",
           is_ascii(step.body) ? "text/plain; charset=us-ascii" : "text/plain; charset=utf-8");
  m.append("Content-Transfer-Encoding", is_ascii(step.body) ? "7bit" : "8bit");
  m.body = to_crlf(step.body);
  return m.serialize();
}

void Device::send(const LessonStep& step,
                  std::function<void(const net::smtp::ClientOutcome&)> done) {
  net::smtp::ClientJob job;
  job.helo_name = host_.name;
  job.auth = net::smtp::Credentials{account_.login, account_.password};
  job.mail_from = account_.address;
  job.rcpt_to = step.to;
  job.message = compose(step);
  const auto* server = world_.lesson().host(host_.server);
  auto session = std::make_shared<SmtpClientSession>(world_.trace(), world_.queue(), std::move(job),
                                                     std::move(done));
  world_.network().connect(host_.name, server->ip, 587, Proto::Smtp, session);
}

}  // namespace sim
