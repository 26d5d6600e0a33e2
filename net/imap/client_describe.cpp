// IMAP client engine: one plain-language sentence and the RFC section for every response
// line the client reads, recorded as LineEvents (the literals' octets as Data lines).
#include <string>

#include "net/imap/client_impl.hpp"

namespace net::imap {

namespace {

struct Desc {
  std::string label, meaning, rfc;
};

Desc status_desc(const Response& r, ClientState state, const std::string& verb) {
  Desc d{r.status, "", "RFC 3501 §7.1"};
  if (state == ClientState::AwaitGreeting) {
    if (r.status == "OK")
      return {"OK", "The server greets the client and waits for a login.", "RFC 3501 §7.1.1"};
    if (r.status == "PREAUTH")
      return {"PREAUTH", "The server greets the client as already logged in.", "RFC 3501 §7.1.4"};
  }
  if (r.status == "BYE") {
    d.rfc = "RFC 3501 §7.1.5";
    d.meaning = state == ClientState::Logout ? "The server says goodbye before closing."
                                             : "The server is closing the connection.";
    return d;
  }
  if (r.kind == Response::Kind::Tagged) {
    if (r.status == "OK") {
      d.meaning = "The " + verb + " command succeeded.";
      if (r.code == "APPENDUID") {
        d.meaning += " APPENDUID tells the new message's UID.";
        d.rfc = "RFC 4315 §3";
      } else if (r.code == "COPYUID") {
        d.meaning += " COPYUID tells the UIDs of the copies.";
        d.rfc = "RFC 4315 §3";
      } else if (verb == "STARTTLS") {
        d.meaning = "The server agrees: both sides now run the TLS handshake on this connection.";
        d.rfc = "RFC 3501 §6.2.1";
      }
    } else if (r.status == "NO") {
      d.meaning = "The server refuses the " + verb + " command; the text says why.";
      if (r.code == "AUTHENTICATIONFAILED") {
        d.meaning = "The user name or password is wrong.";
        d.rfc = "RFC 5530 §3";
      } else if (r.code == "PRIVACYREQUIRED") {
        d.meaning = "The server takes no password over an unencrypted connection: TLS first.";
        d.rfc = "RFC 5530 §3";
      } else if (r.code == "NONEXISTENT") {
        d.meaning = "There is no folder with that name.";
        d.rfc = "RFC 5530 §3";
      }
    } else {
      d.meaning = "The server could not understand the " + verb + " command.";
    }
    return d;
  }
  if (r.code == "UIDVALIDITY")
    return {r.status, "The folder's UIDVALIDITY: UIDs stay valid while it does not change.",
            "RFC 3501 §2.3.1.1"};
  if (r.code == "UIDNEXT")
    return {r.status, "The UID the next message in this folder will get.", "RFC 3501 §2.3.1.1"};
  if (r.code == "PERMANENTFLAGS")
    return {r.status, "The flags the client may change for good.", "RFC 3501 §7.1"};
  if (r.code == "UNSEEN")
    return {r.status, "The number of the first message not yet read.", "RFC 3501 §7.1"};
  if (r.code == "CAPABILITY")
    return {r.status, "The server lists what it can do.", "RFC 3501 §7.2.1"};
  d.meaning = r.status == "OK"   ? "A note from the server."
              : r.status == "NO" ? "A warning from the server."
                                 : "The server reports a problem.";
  return d;
}

Desc data_desc(const Response& r) {
  const std::string n = std::to_string(r.number);
  if (r.name == "CAPABILITY")
    return {"CAPABILITY", "The server lists the IMAP features and login methods it supports.",
            "RFC 3501 §7.2.1"};
  if (r.name == "LIST")
    return {"LIST", "One folder, its attributes and delimiter.", "RFC 3501 §7.2.2"};
  if (r.name == "FLAGS")
    return {"FLAGS", "The flags messages in this folder can carry.", "RFC 3501 §7.2.6"};
  if (r.name == "EXISTS")
    return {"EXISTS", "The folder holds " + n + " messages.", "RFC 3501 §7.3.1"};
  if (r.name == "RECENT")
    return {"RECENT", n + " messages are new to this session (\\Recent).", "RFC 3501 §7.3.2"};
  if (r.name == "EXPUNGE")
    return {"EXPUNGE", "Message " + n + " was removed; every later message moves down by one.",
            "RFC 3501 §7.4.1"};
  if (r.name == "FETCH")
    return {"FETCH", "What the server tells about message " + n + ".", "RFC 3501 §7.4.2"};
  if (r.name == "SEARCH") return {"SEARCH", "The messages that match.", "RFC 3501 §7.2.5"};
  if (r.name == "STATUS") return {"STATUS", "The counters of a folder.", "RFC 3501 §7.2.4"};
  return {r.name, "Data the client did not ask for; it notes it and carries on.", "RFC 3501 §7"};
}

}  // namespace

void Client::Impl::describe(const ReaderItem& item) {
  const Response& r = *item.response;
  Desc d;
  if (r.kind == Response::Kind::Continuation) {
    if (idle && c.state() == ClientState::Command)
      d = {"+", "The server accepts IDLE and will push changes as they happen.", "RFC 2177 §3"};
    else if (c.state() == ClientState::Literal)
      d = {"+", "The server is ready for the literal the client announced.", "RFC 3501 §7.5"};
    else if (c.state() == ClientState::Login)
      d = {"+", "The server waits for the SASL credentials.", "RFC 3501 §7.5"};
    else
      d = {"+", "A continuation request the client did not expect.", "RFC 3501 §7.5"};
  } else if (r.kind == Response::Kind::Tagged && r.tag != tag) {
    d = {r.status, "A tagged answer to a command the client did not send.", "RFC 3501 §2.2.2"};
  } else if (!r.status.empty()) {
    d = status_desc(r, c.state(), verb);
  } else {
    d = data_desc(r);
  }
  for (const auto& s : item.segments) {
    LineEvent e;
    e.sent = false;
    e.kind = s.literal ? LineKind::Data : LineKind::Reply;
    e.text = s.text;
    if (s.literal) {
      e.label = "literal";
      e.meaning = "The " + std::to_string(s.text.size()) + " octets announced by {" +
                  std::to_string(s.text.size()) + "}, exactly as stored.";
      e.rfc = "RFC 3501 §4.3";
    } else {
      e.label = d.label;
      e.meaning = d.meaning;
      e.rfc = d.rfc;
    }
    c.events_.push_back(std::move(e));
  }
}

}  // namespace net::imap
