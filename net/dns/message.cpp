#include "net/dns/message.hpp"

#include "net/ascii.hpp"

#include <map>
#include <stdexcept>

namespace net::dns {
namespace {

constexpr std::uint16_t kClassIn = 1;    // RFC 1035 §3.2.4
constexpr std::size_t kMaxName = 255;    // RFC 1035 §3.1: wire length of a name
constexpr std::size_t kMaxLabel = 63;    // RFC 1035 §2.3.4
constexpr std::size_t kHeaderSize = 12;  // RFC 1035 §4.1.1

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v & 0xff));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v & 0xffff));
  }
  void set_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<char>(v >> 8);
    out_[at + 1] = static_cast<char>(v & 0xff);
  }
  std::size_t size() const { return out_.size(); }

  // RFC 1035 §4.1.4: a name is a sequence of labels ending in a zero octet or a pointer
  // to an earlier occurrence of the same suffix.
  void name(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::vector<std::string_view> labels;
    std::size_t wire = 1;
    while (!name.empty()) {
      const std::size_t dot = name.find('.');
      std::string_view label = name.substr(0, dot);
      if (label.empty() || label.size() > kMaxLabel)
        throw std::invalid_argument("DNS: bad label in name '" + std::string(name) + "'");
      labels.push_back(label);
      wire += label.size() + 1;
      name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    }
    if (wire > kMaxName) throw std::invalid_argument("DNS: name longer than 255 octets");
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::string suffix;
      for (std::size_t j = i; j < labels.size(); ++j) {
        if (j > i) suffix += '.';
        suffix += ascii_lower(labels[j]);
      }
      auto known = offsets_.find(suffix);
      if (known != offsets_.end()) {
        u16(static_cast<std::uint16_t>(0xC000 | known->second));
        return;
      }
      if (out_.size() < 0x4000) offsets_.emplace(suffix, static_cast<std::uint16_t>(out_.size()));
      u8(static_cast<std::uint8_t>(labels[i].size()));
      out_.append(labels[i]);
    }
    u8(0);
  }

  void ipv4(const std::string& dotted) {
    std::uint32_t value = 0;
    int parts = 0;
    std::size_t i = 0;
    while (i <= dotted.size()) {
      std::size_t end = dotted.find('.', i);
      if (end == std::string::npos) end = dotted.size();
      const std::string_view part(dotted.data() + i, end - i);
      if (part.empty() || part.size() > 3) throw std::invalid_argument("DNS: bad IPv4 " + dotted);
      unsigned n = 0;
      for (char c : part) {
        if (c < '0' || c > '9') throw std::invalid_argument("DNS: bad IPv4 " + dotted);
        n = n * 10 + static_cast<unsigned>(c - '0');
      }
      if (n > 255) throw std::invalid_argument("DNS: bad IPv4 " + dotted);
      value = (value << 8) | n;
      ++parts;
      i = end + 1;
    }
    if (parts != 4) throw std::invalid_argument("DNS: bad IPv4 " + dotted);
    u32(value);
  }

  void record(const Record& r) {
    name(r.name);
    u16(static_cast<std::uint16_t>(r.type));
    u16(kClassIn);
    u32(r.ttl);
    const std::size_t len_at = size();
    u16(0);  // RDLENGTH, patched below
    const std::size_t start = size();
    switch (r.type) {
      case Type::A:
        ipv4(r.a);
        break;
      case Type::MX:  // RFC 1035 §3.3.9
        u16(r.preference);
        name(r.exchange);
        break;
      default:
        throw std::invalid_argument("DNS: cannot encode record type");
    }
    set_u16(len_at, static_cast<std::uint16_t>(size() - start));
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::map<std::string, std::uint16_t> offsets_;  // lower-cased suffix → offset
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  std::size_t pos() const { return pos_; }
  void seek(std::size_t p) { pos_ = p; }

  std::uint8_t u8() {
    if (!ok_ || pos_ >= in_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint16_t u16() {
    const std::uint16_t hi = u8();
    return static_cast<std::uint16_t>((hi << 8) | u8());
  }
  std::uint32_t u32() {
    const std::uint32_t hi = u16();
    return (hi << 16) | u16();
  }

  // Follows compression pointers; each pointer must go strictly before the start of the
  // labels it interrupts, which makes loops impossible (and the jump count is capped).
  std::string name() {
    std::string out;
    std::size_t p = pos_;
    std::size_t segment_start = pos_;
    std::size_t wire = 1;
    bool jumped = false;
    for (int jumps = 0; ok_;) {
      if (p >= in_.size()) return fail();
      const auto len = static_cast<std::uint8_t>(in_[p]);
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= in_.size()) return fail();
        const std::size_t target =
            (static_cast<std::size_t>(len & 0x3F) << 8) | static_cast<std::uint8_t>(in_[p + 1]);
        if (target >= segment_start || ++jumps > 64) return fail();
        if (!jumped) pos_ = p + 2;
        jumped = true;
        p = segment_start = target;
        continue;
      }
      if ((len & 0xC0) != 0) return fail();  // 0x40 / 0x80: reserved label types
      if (len == 0) {
        if (!jumped) pos_ = p + 1;
        return out;
      }
      wire += len + 1u;
      if (wire > kMaxName || p + 1 + len > in_.size()) return fail();
      const std::string_view label = in_.substr(p + 1, len);
      if (label.find('.') != std::string_view::npos) return fail();  // not representable
      if (!out.empty()) out += '.';
      out.append(label);
      p += 1 + len;
    }
    return {};
  }

  bool skip(std::size_t n) {
    if (!ok_ || in_.size() - pos_ < n) return ok_ = false;
    pos_ += n;
    return true;
  }

 private:
  std::string fail() {
    ok_ = false;
    return {};
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Reads one resource record (RFC 1035 §4.1.3); false on malformed input. `keep` is false
// for records of types this codec does not model.
bool read_record(Reader& r, Record& rec, bool& keep) {
  rec = Record{};
  rec.name = r.name();
  const std::uint16_t type = r.u16();
  r.u16();  // class
  rec.ttl = r.u32();
  const std::uint16_t rdlength = r.u16();
  if (!r.ok()) return false;
  const std::size_t start = r.pos();
  keep = false;
  if (type == static_cast<std::uint16_t>(Type::A)) {
    if (rdlength != 4) return false;
    rec.type = Type::A;
    const std::uint32_t v = r.u32();
    rec.a = std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." +
            std::to_string((v >> 8) & 0xff) + "." + std::to_string(v & 0xff);
    keep = true;
  } else if (type == static_cast<std::uint16_t>(Type::MX)) {
    if (rdlength < 3) return false;
    rec.type = Type::MX;
    rec.preference = r.u16();
    rec.exchange = r.name();
    if (!r.ok() || r.pos() != start + rdlength) return false;
    keep = true;
  } else {
    r.skip(rdlength);
  }
  return r.ok();
}

std::string describe_record(const Record& r) {
  if (r.type == Type::A) return r.name + " A " + r.a;
  if (r.type == Type::MX) return r.name + " MX " + std::to_string(r.preference) + " " + r.exchange;
  return r.name + " " + to_string(r.type);
}

}  // namespace

const char* to_string(Type t) {
  switch (t) {
    case Type::A:
      return "A";
    case Type::MX:
      return "MX";
  }
  return "TYPE?";
}

const char* rcode_name(std::uint8_t rcode) {
  switch (rcode) {
    case kNoError:
      return "NOERROR";
    case kFormErr:
      return "FORMERR";
    case kServFail:
      return "SERVFAIL";
    case kNxDomain:
      return "NXDOMAIN";
    case 4:
      return "NOTIMP";
    case 5:
      return "REFUSED";
  }
  return "RCODE?";
}

std::string encode(const Message& m) {
  Writer w;
  w.u16(m.id);
  // RFC 1035 §4.1.1: QR | OPCODE(4) | AA | TC | RD | RA | Z(3) | RCODE(4)
  std::uint16_t flags = 0;
  if (m.response) flags |= 0x8000;
  if (m.aa) flags |= 0x0400;
  if (m.rd) flags |= 0x0100;
  if (m.ra) flags |= 0x0080;
  flags |= static_cast<std::uint16_t>(m.rcode & 0x0f);
  w.u16(flags);
  w.u16(static_cast<std::uint16_t>(m.questions.size()));
  w.u16(static_cast<std::uint16_t>(m.answers.size()));
  w.u16(0);  // NSCOUNT
  w.u16(static_cast<std::uint16_t>(m.additionals.size()));
  for (const auto& q : m.questions) {  // RFC 1035 §4.1.2
    w.name(q.name);
    w.u16(static_cast<std::uint16_t>(q.type));
    w.u16(kClassIn);
  }
  for (const auto& r : m.answers) w.record(r);
  for (const auto& r : m.additionals) w.record(r);
  return w.take();
}

std::optional<Message> decode(std::string_view wire) {
  if (wire.size() < kHeaderSize) return std::nullopt;
  Reader r(wire);
  Message m;
  m.id = r.u16();
  const std::uint16_t flags = r.u16();
  m.response = (flags & 0x8000) != 0;
  m.aa = (flags & 0x0400) != 0;
  m.rd = (flags & 0x0100) != 0;
  m.ra = (flags & 0x0080) != 0;
  m.rcode = static_cast<std::uint8_t>(flags & 0x0f);
  const std::uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
  for (std::uint16_t i = 0; i < qd && r.ok(); ++i) {
    Question q;
    q.name = r.name();
    q.type = static_cast<Type>(r.u16());
    r.u16();  // class
    if (r.ok()) m.questions.push_back(std::move(q));
  }
  const std::uint32_t records = std::uint32_t{an} + ns + ar;
  for (std::uint32_t i = 0; i < records && r.ok(); ++i) {
    Record rec;
    bool keep = false;
    if (!read_record(r, rec, keep)) return std::nullopt;
    if (!keep) continue;
    if (i < an) {
      m.answers.push_back(std::move(rec));
    } else if (i >= std::uint32_t{an} + ns) {
      m.additionals.push_back(std::move(rec));
    }
  }
  if (!r.ok()) return std::nullopt;
  return m;
}

std::string describe(const Message& m) {
  std::string qs;
  for (const auto& q : m.questions) {
    if (!qs.empty()) qs += ", ";
    qs += std::string(to_string(q.type)) + " " + q.name;
  }
  if (!m.response) return "query " + qs + "?";
  if (m.rcode == kNxDomain) {
    std::string name = m.questions.empty() ? std::string("the name") : m.questions[0].name;
    return "answer: NXDOMAIN (" + name + " does not exist)";
  }
  if (m.rcode != kNoError) return std::string("answer: ") + rcode_name(m.rcode) + " for " + qs;
  if (m.answers.empty()) return "answer: no " + qs + " records";
  std::string out = "answer: ";
  bool first = true;
  for (const auto* section : {&m.answers, &m.additionals}) {
    for (const auto& rec : *section) {
      if (!first) out += "; ";
      first = false;
      out += describe_record(rec);
    }
  }
  return out;
}

}  // namespace net::dns
