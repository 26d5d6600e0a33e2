#include "net/store/maildir_names.hpp"

#include <algorithm>

#include "net/store/mailstore.hpp"

namespace net::store {
namespace {

struct Letter {
  char letter;
  const char* flag;
};
// ASCII order, as the Maildir info must be written.
constexpr Letter kLetters[] = {{'D', "\\Draft"},    {'F', "\\Flagged"}, {'P', "$Forwarded"},
                               {'R', "\\Answered"}, {'S', "\\Seen"},    {'T', "\\Deleted"}};

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto l = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return l(x) == l(y);
         });
}

bool needs_escape(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '.' || c == '/' || c == '%';
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> maildir_folder_dir(std::string_view folder) {
  if (folder == "INBOX") return std::string();
  if (folder.empty()) return std::nullopt;
  static const char* const kHex = "0123456789ABCDEF";
  std::string out = ".";
  std::size_t level_start = 0;
  for (std::size_t i = 0; i <= folder.size(); ++i) {
    if (i == folder.size() || folder[i] == Mailstore::kDelimiter) {
      if (i == level_start) return std::nullopt;  // an empty level
      if (i < folder.size()) out += '.';
      level_start = i + 1;
      continue;
    }
    auto c = static_cast<unsigned char>(folder[i]);
    if (needs_escape(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<std::string> maildir_folder_name(std::string_view dir) {
  if (dir.size() < 2 || dir.front() != '.' || dir == "..") return std::nullopt;
  std::string out;
  std::size_t level = 0;
  for (std::size_t i = 1; i < dir.size(); ++i) {
    char c = dir[i];
    if (c == '.') {
      if (level == 0) return std::nullopt;
      out += Mailstore::kDelimiter;
      level = 0;
      continue;
    }
    if (c == '%') {
      if (i + 2 >= dir.size()) return std::nullopt;
      int h = hex(dir[i + 1]), l = hex(dir[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      out += static_cast<char>(h * 16 + l);
      i += 2;
    } else {
      out += c;
    }
    ++level;
  }
  if (level == 0) return std::nullopt;
  return out;
}

MaildirFileName parse_maildir_file_name(std::string_view name) {
  MaildirFileName out;
  const auto colon = name.find(':');
  out.base = std::string(name.substr(0, colon));
  if (colon != std::string_view::npos && name.substr(colon, 3) == ":2,")
    out.info = std::string(name.substr(colon + 3));
  const auto u = out.base.find(",U=");
  if (u != std::string::npos) {
    uint64_t v = 0;
    std::size_t i = u + 3;
    for (; i < out.base.size() && out.base[i] >= '0' && out.base[i] <= '9' && v <= 0xffffffffu; ++i)
      v = v * 10 + static_cast<uint64_t>(out.base[i] - '0');
    const bool ends = i == out.base.size() || out.base[i] == ',';
    if (i > u + 3 && ends && v > 0 && v <= 0xffffffffu) out.uid = static_cast<uint32_t>(v);
  }
  return out;
}

std::string maildir_base_with_uid(std::string_view base, uint32_t uid) {
  std::string b(base);
  const auto u = b.find(",U=");
  if (u != std::string::npos) {
    auto end = b.find(',', u + 3);
    b.erase(u, end == std::string::npos ? std::string::npos : end - u);
  }
  return b + ",U=" + std::to_string(uid);
}

std::string maildir_info(const std::vector<std::string>& flags, std::vector<std::string>& keywords,
                         std::vector<std::string>* dropped) {
  std::string upper, lower;
  for (const auto& l : kLetters) {
    for (const auto& f : flags)
      if (iequal(f, l.flag)) upper += l.letter;
  }
  for (const auto& f : flags) {
    if (f.empty() || f.front() == '\\') continue;
    bool system = false;
    for (const auto& l : kLetters) system = system || iequal(f, l.flag);
    if (system) continue;
    auto it = std::find_if(keywords.begin(), keywords.end(),
                           [&](const std::string& k) { return iequal(k, f); });
    if (it == keywords.end()) {
      if (keywords.size() >= 26) {
        if (dropped) dropped->push_back(f);
        continue;
      }
      keywords.push_back(f);
      it = keywords.end() - 1;
    }
    lower += static_cast<char>('a' + (it - keywords.begin()));
  }
  std::sort(lower.begin(), lower.end());
  lower.erase(std::unique(lower.begin(), lower.end()), lower.end());
  return upper + lower;
}

std::vector<std::string> maildir_flags(std::string_view info,
                                       const std::vector<std::string>& keywords) {
  std::vector<std::string> out;
  auto add = [&](const std::string& f) {
    for (const auto& o : out)
      if (iequal(o, f)) return;
    out.push_back(f);
  };
  for (char c : info) {
    for (const auto& l : kLetters)
      if (c == l.letter) add(l.flag);
    if (c >= 'a' && c <= 'z' && static_cast<std::size_t>(c - 'a') < keywords.size())
      add(keywords[static_cast<std::size_t>(c - 'a')]);
  }
  return out;
}

}  // namespace net::store
