#include "sim/trace_json.hpp"

#include "net/base64.hpp"

#include <istream>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <type_traits>

namespace sim {
namespace {

using Json = nlohmann::ordered_json;  // keeps "v","t","seq","type" first, in a fixed order

[[noreturn]] void fail(const std::string& why) {
  throw std::runtime_error("trace JSON: " + why);
}

void put_str(Json& j, const char* key, const std::string& s) {
  if (is_valid_utf8(s)) {
    j[key] = s;
  } else {
    j[std::string(key) + "_b64"] = net::base64_encode(s);
  }
}

std::string get_str(const Json& j, const char* key) {
  if (auto it = j.find(key); it != j.end()) {
    if (!it->is_string()) fail(std::string("field \"") + key + "\" must be a string");
    return it->get<std::string>();
  }
  const std::string b64 = std::string(key) + "_b64";
  if (auto it = j.find(b64); it != j.end()) {
    std::optional<std::string> out;
    if (it->is_string()) out = net::base64_decode(it->get<std::string>());
    if (!out) fail("field \"" + b64 + "\" must be a base64 string");
    return *out;
  }
  return {};
}

template <class T>
T get_num(const Json& j, const char* key, bool required = false) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) fail(std::string("missing field \"") + key + "\"");
    return T{};
  }
  if constexpr (std::is_signed_v<T>) {
    if (!it->is_number_integer()) fail(std::string("field \"") + key + "\" must be an integer");
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
      fail(std::string("field \"") + key + "\" out of range");
    const auto v = it->get<std::int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      fail(std::string("field \"") + key + "\" out of range");
    return static_cast<T>(v);
  } else {
    if (!it->is_number_unsigned())
      fail(std::string("field \"") + key + "\" must be a non-negative integer");
    const auto v = it->get<std::uint64_t>();
    if (v > std::numeric_limits<T>::max()) fail(std::string("field \"") + key + "\" out of range");
    return static_cast<T>(v);
  }
}

bool get_bool(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (!it->is_boolean()) fail(std::string("field \"") + key + "\" must be true or false");
  return it->get<bool>();
}

Proto get_proto(const Json& j, const char* key, Proto def) {
  auto it = j.find(key);
  if (it == j.end()) return def;
  if (!it->is_string()) fail(std::string("field \"") + key + "\" must be a string");
  auto p = proto_from_string(it->get<std::string>());
  if (!p) fail("unknown protocol \"" + it->get<std::string>() + "\"");
  return *p;
}

struct Writer {
  Json& j;
  void operator()(const SegmentEv& e) const {
    j["type"] = "segment";
    put_str(j, "link", e.link);
    put_str(j, "from", e.from);
    put_str(j, "to", e.to);
    put_str(j, "src_ip", e.src_ip);
    put_str(j, "dst_ip", e.dst_ip);
    j["sport"] = e.sport;
    j["dport"] = e.dport;
    j["udp"] = e.udp;
    j["tcp_seq"] = e.seq;  // "seq" is the event's position in the trace
    j["ack"] = e.ack;
    j["flags"] = e.flags;
    j["flag_names"] = flags_to_string(e.flags);
    j["conn"] = e.conn;
    j["arrive"] = e.arrive;
    put_str(j, "payload", e.payload);
  }
  void operator()(const ConnEv& e) const {
    j["type"] = "conn";
    j["conn"] = e.conn;
    put_str(j, "op", e.op);
    put_str(j, "client", e.client);
    put_str(j, "server", e.server);
    j["client_port"] = e.client_port;
    j["server_port"] = e.server_port;
    j["proto"] = to_string(e.proto);
  }
  void operator()(const LineEv& e) const {
    j["type"] = "line";
    j["conn"] = e.conn;
    j["proto"] = to_string(e.proto);
    put_str(j, "from", e.from);
    put_str(j, "to", e.to);
    j["from_client"] = e.from_client;
    j["data"] = e.data;
    put_str(j, "text", e.text);
    put_str(j, "label", e.label);
    put_str(j, "meaning", e.meaning);
    put_str(j, "rfc", e.rfc);
  }
  void operator()(const StateEv& e) const {
    j["type"] = "state";
    put_str(j, "host", e.host);
    j["conn"] = e.conn;
    j["proto"] = to_string(e.proto);
    put_str(j, "role", e.role);
    put_str(j, "from", e.from);
    put_str(j, "to", e.to);
  }
  void operator()(const MailboxEv& e) const {
    j["type"] = "mailbox";
    put_str(j, "host", e.host);
    put_str(j, "mailbox", e.mailbox);
    put_str(j, "op", e.op);
    j["uid"] = e.uid;
    j["size"] = e.size;
    put_str(j, "summary", e.summary);
    put_str(j, "folder", e.folder);
    put_str(j, "flags", e.flags);
    if (e.cached) j["cached"] = true;
  }
  void operator()(const QueueEv& e) const {
    j["type"] = "queue";
    put_str(j, "host", e.host);
    put_str(j, "id", e.id);
    put_str(j, "op", e.op);
    put_str(j, "detail", e.detail);
  }
  void operator()(const NoteEv& e) const {
    j["type"] = "note";
    put_str(j, "host", e.host);
    put_str(j, "kind", e.kind);
    put_str(j, "text", e.text);
  }
  void operator()(const TlsEv& e) const {
    j["type"] = "tls";
    j["conn"] = e.conn;
    put_str(j, "from", e.from);
    put_str(j, "to", e.to);
    put_str(j, "what", e.what);
    j["bytes"] = e.bytes;
  }
};

Payload read_payload(const std::string& type, const Json& j) {
  if (type == "segment") {
    SegmentEv e;
    e.link = get_str(j, "link");
    e.from = get_str(j, "from");
    e.to = get_str(j, "to");
    e.src_ip = get_str(j, "src_ip");
    e.dst_ip = get_str(j, "dst_ip");
    e.sport = get_num<std::uint16_t>(j, "sport");
    e.dport = get_num<std::uint16_t>(j, "dport");
    e.udp = get_bool(j, "udp");
    e.seq = get_num<std::uint32_t>(j, "tcp_seq");
    e.ack = get_num<std::uint32_t>(j, "ack");
    e.flags = get_num<std::uint8_t>(j, "flags");
    e.conn = get_num<std::uint32_t>(j, "conn");
    e.arrive = get_num<Time>(j, "arrive");
    e.payload = get_str(j, "payload");
    return e;
  }
  if (type == "conn") {
    ConnEv e;
    e.conn = get_num<std::uint32_t>(j, "conn");
    e.op = get_str(j, "op");
    e.client = get_str(j, "client");
    e.server = get_str(j, "server");
    e.client_port = get_num<std::uint16_t>(j, "client_port");
    e.server_port = get_num<std::uint16_t>(j, "server_port");
    e.proto = get_proto(j, "proto", Proto::Tcp);
    return e;
  }
  if (type == "line") {
    LineEv e;
    e.conn = get_num<std::uint32_t>(j, "conn");
    e.proto = get_proto(j, "proto", Proto::None);
    e.from = get_str(j, "from");
    e.to = get_str(j, "to");
    e.from_client = j.contains("from_client") ? get_bool(j, "from_client") : true;
    e.data = get_bool(j, "data");
    e.text = get_str(j, "text");
    e.label = get_str(j, "label");
    e.meaning = get_str(j, "meaning");
    e.rfc = get_str(j, "rfc");
    return e;
  }
  if (type == "state") {
    StateEv e;
    e.host = get_str(j, "host");
    e.conn = get_num<std::uint32_t>(j, "conn");
    e.proto = get_proto(j, "proto", Proto::None);
    e.role = get_str(j, "role");
    e.from = get_str(j, "from");
    e.to = get_str(j, "to");
    return e;
  }
  if (type == "mailbox") {
    MailboxEv e;
    e.host = get_str(j, "host");
    e.mailbox = get_str(j, "mailbox");
    e.op = get_str(j, "op");
    e.uid = get_num<std::uint32_t>(j, "uid");
    e.size = get_num<std::uint64_t>(j, "size");
    e.summary = get_str(j, "summary");
    if (j.contains("folder")) e.folder = get_str(j, "folder");
    if (j.contains("flags")) e.flags = get_str(j, "flags");
    e.cached = get_bool(j, "cached");
    return e;
  }
  if (type == "queue") {
    QueueEv e;
    e.host = get_str(j, "host");
    e.id = get_str(j, "id");
    e.op = get_str(j, "op");
    e.detail = get_str(j, "detail");
    return e;
  }
  if (type == "note") {
    NoteEv e;
    e.host = get_str(j, "host");
    e.kind = get_str(j, "kind");
    e.text = get_str(j, "text");
    return e;
  }
  if (type == "tls") {
    TlsEv e;
    e.conn = get_num<std::uint32_t>(j, "conn");
    e.from = get_str(j, "from");
    e.to = get_str(j, "to");
    e.what = get_str(j, "what");
    e.bytes = get_num<std::uint64_t>(j, "bytes");
    return e;
  }
  fail("unknown event type \"" + type + "\"");
}

}  // namespace

// RFC 3629 §4: rejects overlong forms, surrogates and code points above U+10FFFF.
bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string to_json_line(const Event& e) {
  Json j;
  j["v"] = 1;
  j["t"] = e.t;
  j["seq"] = e.seq;
  std::visit(Writer{j}, e.p);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void write_jsonl(const Trace& trace, std::ostream& out) {
  for (const auto& e : trace.events()) out << to_json_line(e) << '\n';
}

Event from_json_line(std::string_view line) {
  Json j;
  try {
    j = Json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& ex) {
    fail(std::string("not valid JSON (") + ex.what() + ")");
  }
  if (!j.is_object()) fail("an event must be a JSON object");
  if (get_num<int>(j, "v", true) != 1) fail("unsupported schema version");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) fail("missing string field \"type\"");
  Event e;
  e.t = get_num<Time>(j, "t", true);
  e.seq = get_num<std::uint64_t>(j, "seq", true);
  e.p = read_payload(type->get<std::string>(), j);
  return e;
}

std::vector<Event> read_jsonl(std::istream& in) {
  std::vector<Event> out;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    try {
      out.push_back(from_json_line(line));
    } catch (const std::runtime_error& ex) {
      throw std::runtime_error("line " + std::to_string(n) + ": " + ex.what());
    }
  }
  return out;
}

std::uint64_t fingerprint(const Trace& trace) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;  // FNV 64 prime
    }
  };
  for (const auto& e : trace.events()) {
    mix(to_json_line(e));
    mix("\n");
  }
  return h;
}

std::string fingerprint_hex(std::uint64_t fp) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, fp >>= 4) s[static_cast<std::size_t>(i)] = kHex[fp & 15];
  return s;
}

}  // namespace sim
