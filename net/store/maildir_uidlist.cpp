#include "net/store/maildir_uidlist.hpp"

#include <charconv>
#include <fstream>
#include <iterator>

#include "net/store/maildir.hpp"

namespace net::store {
namespace fs = std::filesystem;

namespace {

// "V123" → 123 when the prefix matches and the number is a whole uint32.
std::optional<uint32_t> field(std::string_view s, char prefix) {
  if (s.size() < 2 || s.front() != prefix) return std::nullopt;
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

std::optional<UidList> parse_uid_list(std::string_view text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;  // a cut-off file
  text.remove_suffix(1);
  auto lines = split(text, '\n');
  auto head = split(lines.front(), ' ');
  if (head.size() != 4 || head[0] != "mailsim-uidlist" || head[1] != "1") return std::nullopt;
  auto v = field(head[2], 'V');
  auto n = field(head[3], 'N');
  if (!v || !n || *v == 0 || *n == 0) return std::nullopt;
  UidList out{*v, *n, {}};
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    const char want = static_cast<char>('a' + out.keywords.size());
    if (out.keywords.size() >= 26 || l.size() < 3 || l[0] != want || l[1] != ' ')
      return std::nullopt;
    std::string_view k = l.substr(2);
    for (char c : k)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
    out.keywords.emplace_back(k);
  }
  return out;
}

std::string format_uid_list(const UidList& list) {
  std::string out = "mailsim-uidlist 1 V" + std::to_string(list.uid_validity) + " N" +
                    std::to_string(list.uid_next) + "\n";
  for (std::size_t i = 0; i < list.keywords.size() && i < 26; ++i)
    out += std::string(1, static_cast<char>('a' + i)) + " " + list.keywords[i] + "\n";
  return out;
}

std::optional<UidList> read_uid_list(const fs::path& folder, std::string& why) {
  const fs::path p = folder / kUidListFile;
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    why = "no " + p.string();
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto l = parse_uid_list(text);
  if (!l) why = p.string() + " is malformed";
  return l;
}

void write_uid_list(const fs::path& folder, const UidList& list) {
  write_file_durable(folder / kUidListFile, format_uid_list(list));
}

}  // namespace net::store
