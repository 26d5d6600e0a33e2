#include "sim/device.hpp"

#include "net/message/message.hpp"
#include "net/pop3/client.hpp"
#include "sim/compose.hpp"
#include "sim/imap_session.hpp"
#include "sim/mail_summary.hpp"
#include "sim/pop3_session.hpp"
#include "sim/sim_tls.hpp"
#include "sim/smtp_session.hpp"
#include "sim/world.hpp"

namespace sim {

namespace {

// A device's TLS to its mail server. Its next connection to the same server and port resumes
// the session (RFC 8446 §2.2), as mail apps do; the key keeps devices and services apart.
TlsSetup device_tls(World& w, const LessonHost& device, const LessonHost& server, bool implicit,
                    std::uint16_t port) {
  return {w.pki().device_client(), implicit, server.name,
          device.name + " " + server.name + ":" + std::to_string(port)};
}

}  // namespace

using net::imap::ClientOp;
using Kind = net::imap::ClientOp::Kind;

Device::Device(World& world, const LessonHost& host)
    : world_(world), host_(host), store_(host.name, host.account, [&world](MailboxEv ev) {
        world.trace().append(world.queue().now(), std::move(ev));
      }) {
  for (const auto& a : world.lesson().accounts)
    if (a.address == host.account) account_ = a;
}

void Device::note(const std::string& kind, const std::string& text) {
  world_.trace().append(world_.queue().now(), NoteEv{host_.name, kind, text});
}

std::string Device::compose(const LessonStep& step) {
  Draft d;
  d.from = account_.address;
  d.to = step.to;
  d.subject = step.subject;
  d.date = net::message::format_date(world_.unix_now());
  d.message_id = "<" + std::to_string(++sent_) + "." + std::to_string(world_.lesson().seed) + "@" +
                 host_.name + ">";
  d.text = step.body;
  d.html = step.html;
  d.attachments = step.attachments;
  return compose_message(d);
}

void Device::send(const LessonStep& step,
                  std::function<void(const net::smtp::ClientOutcome&)> done) {
  if (!online_) {
    note("error", "offline: the message stays in the outbox until the device is online");
    net::smtp::ClientOutcome o;
    o.error = "the device is offline";
    done(o);
    return;
  }
  net::smtp::ClientJob job;
  job.helo_name = host_.name;
  job.auth = net::smtp::Credentials{account_.login,
                                    step.password.empty() ? account_.password : step.password};
  job.mail_from = account_.address;
  job.rcpt_to = step.to;
  job.message = compose(step);
  std::string copy = job.message;
  auto after = [this, copy, done](const net::smtp::ClientOutcome& o) {
    if (!o.delivered) return done(o);
    save_sent(copy, [done, o] { done(o); });
  };
  // RFC 8314: implicit TLS on 465 is preferred; STARTTLS on 587 is the common setup.
  const bool implicit = host_.security == "tls";
  job.tls = implicit                       ? net::smtp::TlsMode::Implicit
            : host_.security == "starttls" ? net::smtp::TlsMode::Required
                                           : net::smtp::TlsMode::None;
  const auto* server = world_.lesson().host(host_.server);
  auto session = std::make_shared<SmtpClientSession>(world_.trace(), world_.queue(), std::move(job),
                                                     std::move(after));
  const std::uint16_t port = implicit ? 465 : 587;
  if (host_.security != "none")
    session->set_tls(device_tls(world_, host_, *server, implicit, port));
  world_.network().connect(host_.name, server->ip, port, Proto::Smtp, session);
}

// The sent message is kept: with IMAP in the server's Sent folder (every device sees it),
// with POP3 only on this device.
void Device::save_sent(const std::string& message, Done done) {
  LocalMessage m;
  m.folder = "Sent";
  m.subject = mail_subject(message);
  m.from = mail_from(message);
  m.size = message.size();
  m.seen = true;
  m.data = message;
  if (host_.protocol == "pop3") {
    m.uidl = "local";
    store_.add(std::move(m));
    return done();
  }
  ClientOp op;
  op.kind = Kind::Append;
  op.mailbox = "Sent";
  op.flags = {"\\Seen"};
  op.data = message;
  run_imap({op}, false, [this, m, done](const net::imap::ClientOutcome& o) mutable {
    if (o.ok) {
      m.uid = o.appended_uids.empty() ? 0 : o.appended_uids.front();
      store_.add(std::move(m));
    }
    done();
  });
}

void Device::set_online(bool on) {
  online_ = on;
  for (const auto& l : world_.lesson().links)
    if (l.a == host_.name || l.b == host_.name) world_.network().set_link_up(l.a + "<->" + l.b, on);
}

void Device::act(const LessonStep& step, Done done) {
  typed_password_ = step.password;  // this action's login, when the step types another
  const std::string& a = step.action;
  if (a == "offline" || a == "online") {
    set_online(a == "online");
    note("info", a == "online" ? "the device is online again" : "the device has no connection");
    return done();
  }
  if (a == "check") {
    if (!online_) {
      note("error", "cannot check mail: the device is offline");
      return done();
    }
    return host_.protocol == "pop3" ? check_pop3(std::move(done)) : check_imap(std::move(done));
  }
  int i = store_.find(step.subject);
  if (i < 0) {
    note("error", "no message \"" + step.subject + "\" on this device");
    return done();
  }
  if (host_.protocol == "pop3" || !online_) {
    local_action(step, i);
    return done();
  }
  imap_action(step, i, std::move(done));
}

// ---- POP3 ----

void Device::check_pop3(Done done) {
  net::pop3::ClientJob job;
  job.login = account_.login;
  job.password = typed_password_.empty() ? account_.password : typed_password_;
  job.mode = host_.leave_on_server ? net::pop3::Mode::LeaveOnServer : net::pop3::Mode::Delete;
  // Only LeaveOnServer skips known messages; Delete mode never reads the set, so it is not
  // copied (it grows by one per message ever downloaded).
  if (job.mode == net::pop3::Mode::LeaveOnServer) job.known_uidls = known_uidls_;
  auto after = [this, done](const net::pop3::ClientOutcome& o) {
    std::size_t added = 0;
    for (const auto& d : o.messages) {
      std::string key = d.uidl.empty() ? "#" + std::to_string(d.number) : d.uidl;
      if (!known_uidls_.insert(key).second) continue;
      LocalMessage m;
      m.uidl = key;
      m.subject = mail_subject(d.data);
      m.from = mail_from(d.data);
      m.size = d.data.size();
      m.data = d.data;
      store_.add(std::move(m));
      ++added;
    }
    if (!o.ok) note("error", "checking mail failed: " + o.error);
    note("info",
         std::to_string(added) + " new message(s) downloaded" +
             (host_.leave_on_server ? "; copies left on the server" : "; deleted from the server"));
    done();
  };
  // Like send(): STLS on 110 (RFC 2595) or implicit TLS on 995 (RFC 8314).
  const bool implicit = host_.security == "tls";
  job.tls = implicit                       ? net::pop3::TlsMode::Implicit
            : host_.security == "starttls" ? net::pop3::TlsMode::Required
                                           : net::pop3::TlsMode::None;
  const auto* server = world_.lesson().host(host_.server);
  auto session = std::make_shared<Pop3ClientSession>(world_.trace(), world_.queue(), std::move(job),
                                                     std::move(after));
  const std::uint16_t port = implicit ? 995 : 110;
  if (host_.security != "none")
    session->set_tls(device_tls(world_, host_, *server, implicit, port));
  world_.network().connect(host_.name, server->ip, port, Proto::Pop3, session);
}

void Device::local_action(const LessonStep& step, int i) {
  const LocalMessage& m = store_.at(i);
  const bool imap = host_.protocol == "imap";
  const std::string where = imap ? " (offline: the server is told when the device reconnects)"
                                 : " (POP3: only this device changes; the server is not told)";
  auto queue = [&](ClientOp op) {
    if (!imap) return;
    if (m.uid == 0) return;  // never synchronised: nothing to replay
    ClientOp sel;
    sel.kind = Kind::Select;
    sel.mailbox = m.folder;
    pending_.push_back(sel);
    op.uids = {m.uid};
    pending_.push_back(std::move(op));
  };
  if (step.action == "read") {
    if (!m.data) {
      note("error",
           "\"" + m.subject + "\" cannot be opened offline: only its headers are on this device");
      return;
    }
    note("info", "opened \"" + m.subject + "\" from the copy on this device" + where);
    if (!m.seen) queue({Kind::Store, "", {}, "+FLAGS", {"\\Seen"}, "", false});
    store_.set_flags(i, true, m.flagged);
  } else if (step.action == "flag") {
    note("info", "flagged \"" + m.subject + "\"" + where);
    queue({Kind::Store, "", {}, "+FLAGS", {"\\Flagged"}, "", false});
    store_.set_flags(i, m.seen, true);
  } else if (step.action == "delete") {
    note("info", "deleted \"" + m.subject + "\"" + where);
    queue({Kind::Store, "", {}, "+FLAGS", {"\\Deleted"}, "", false});
    queue({Kind::Expunge, "", {}, "", {}, "", false});
    store_.remove(i);
  } else if (step.action == "move") {
    note("info", "moved \"" + m.subject + "\" to " + step.folder + where);
    if (imap && !server_folders_.count(step.folder)) {
      pending_.push_back({Kind::Create, step.folder, {}, "", {}, "", false});
      server_folders_.insert(step.folder);
    }
    queue({Kind::Move, step.folder, {}, "", {}, "", false});
    store_.move(i, step.folder, imap ? 0 : m.uid);
  }
}

// ---- IMAP ----

void Device::run_imap(std::vector<ClientOp> ops, bool fetch_bodies,
                      std::function<void(const net::imap::ClientOutcome&)> then) {
  net::imap::ClientJob job;
  job.login = account_.login;
  job.password = typed_password_.empty() ? account_.password : typed_password_;
  job.fetch_bodies = fetch_bodies;
  job.ops = pending_;
  std::size_t replayed = pending_.size();
  for (auto& op : ops) job.ops.push_back(std::move(op));
  auto after = [this, replayed, then](const net::imap::ClientOutcome& o) {
    if (o.ok && replayed) {
      note("info", "changes made offline were sent to the server");
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(replayed));
    }
    if (!o.ok) note("error", "IMAP session failed: " + o.error);
    then(o);
  };
  // Like send(): STARTTLS on 143 (RFC 3501 §6.2.1) or implicit TLS on 993 (RFC 8314).
  const bool implicit = host_.security == "tls";
  job.tls = implicit                       ? net::imap::TlsMode::Implicit
            : host_.security == "starttls" ? net::imap::TlsMode::Required
                                           : net::imap::TlsMode::None;
  const auto* server = world_.lesson().host(host_.server);
  auto session = std::make_shared<ImapClientSession>(world_.trace(), world_.queue(), std::move(job),
                                                     std::move(after));
  const std::uint16_t port = implicit ? 993 : 143;
  if (host_.security != "none")
    session->set_tls(device_tls(world_, host_, *server, implicit, port));
  world_.network().connect(host_.name, server->ip, port, Proto::Imap, session);
}

void Device::check_imap(Done done) {
  ClientOp sync;
  sync.kind = Kind::SyncAll;
  run_imap({sync}, host_.keep_offline, [this, done](const net::imap::ClientOutcome& o) {
    if (o.finished && !o.folders.empty()) merge_imap(o);
    done();
  });
}

// Makes the device show what the server holds: new messages appear, expunged ones go,
// flags follow the server. Bodies already downloaded stay.
void Device::merge_imap(const net::imap::ClientOutcome& o) {
  server_folders_.clear();
  for (const auto& [name, f] : o.folders) {
    server_folders_.insert(name);
    if (f.uid_validity == 0) continue;  // listed, not selected
    store_.add_folder(name);
    // RFC 3501 §2.3.1.1: a new UIDVALIDITY means the old UIDs mean nothing any more.
    auto& known = uid_validity_[name];
    if (known != 0 && known != f.uid_validity)
      for (int i = static_cast<int>(store_.messages().size()) - 1; i >= 0; --i)
        if (store_.at(i).folder == name) store_.remove(i);
    known = f.uid_validity;

    std::set<std::uint32_t> matched;
    for (int i = static_cast<int>(store_.messages().size()) - 1; i >= 0; --i) {
      const LocalMessage& m = store_.at(i);
      if (m.folder != name) continue;
      if (m.uid == 0) {  // moved here offline or by this device: adopt the server's UID
        for (const auto& [uid, v] : f.messages)
          if (!matched.count(uid) && store_.find_uid(name, uid) < 0 && v.subject == m.subject) {
            store_.set_uid(i, uid);
            break;
          }
      }
      if (!f.messages.count(m.uid)) {
        store_.remove(i);
        continue;
      }
      matched.insert(m.uid);
    }
    for (const auto& entry : f.messages) {
      const auto uid = entry.first;
      const auto& v = entry.second;  // plain references: the lambda below captures them
      auto has = [&](const char* flag) {
        for (const auto& x : v.flags)
          if (x == flag) return true;
        return false;
      };
      int i = store_.find_uid(name, uid);
      if (i < 0) {
        LocalMessage m;
        m.folder = name;
        m.uid = uid;
        m.subject = v.subject;
        m.from = v.from;
        m.size = v.size;
        m.seen = has("\\Seen");
        m.flagged = has("\\Flagged");
        m.data = v.data;
        store_.add(std::move(m));
        continue;
      }
      store_.set_flags(i, has("\\Seen"), has("\\Flagged"));
      if (v.data) store_.cache(i, *v.data);
    }
  }
  // Folders deleted on the server disappear with their messages.
  for (int i = static_cast<int>(store_.messages().size()) - 1; i >= 0; --i)
    if (!o.folders.count(store_.at(i).folder)) store_.remove(i);
}

void Device::imap_action(const LessonStep& step, int i, Done done) {
  const LocalMessage m = store_.at(i);
  if (m.uid == 0) {
    note("error", "\"" + m.subject + "\" is not on the server yet; check mail first");
    return done();
  }
  std::vector<ClientOp> ops;
  ops.push_back({Kind::Select, m.folder, {}, "", {}, "", false});
  const std::string& a = step.action;
  if (a == "read") {
    if (m.data)
      ops.push_back({Kind::Store, "", {m.uid}, "+FLAGS", {"\\Seen"}, "", false});
    else
      ops.push_back({Kind::FetchBody, "", {m.uid}, "", {}, "", false});
  } else if (a == "flag") {
    ops.push_back({Kind::Store, "", {m.uid}, "+FLAGS", {"\\Flagged"}, "", false});
  } else if (a == "delete") {
    ops.push_back({Kind::Store, "", {m.uid}, "+FLAGS", {"\\Deleted"}, "", false});
    ops.push_back({Kind::Expunge, "", {m.uid}, "", {}, "", false});
  } else if (a == "move") {
    if (!server_folders_.count(step.folder))
      ops.insert(ops.begin(), {Kind::Create, step.folder, {}, "", {}, "", false});
    ops.push_back({Kind::Move, step.folder, {m.uid}, "", {}, "", false});
  }
  run_imap(ops, false, [this, step, m, done](const net::imap::ClientOutcome& o) {
    int k = store_.find_uid(m.folder, m.uid);
    if (!o.ok || k < 0) return done();
    const std::string& act = step.action;
    if (act == "read") {
      auto f = o.folders.find(m.folder);
      if (f != o.folders.end())
        if (auto it = f->second.messages.find(m.uid);
            it != f->second.messages.end() && it->second.data)
          store_.cache(k, *it->second.data);
      store_.set_flags(k, true, store_.at(k).flagged);
      note("info", "opened \"" + m.subject + "\"; the server now marks it \\Seen for every device");
    } else if (act == "flag") {
      store_.set_flags(k, store_.at(k).seen, true);
    } else if (act == "delete") {
      store_.remove(k);
    } else if (act == "move") {
      server_folders_.insert(step.folder);
      store_.move(k, step.folder, 0);
    }
    done();
  });
}

}  // namespace sim
