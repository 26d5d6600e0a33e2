// Every string of the window's user interface, in English and Portuguese, in one table
// (i18n.cpp). Views call tr("key") and get the text in the current language; lesson texts
// (titles, narration) carry their own languages in the lesson file. No ImGui here.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim {

// The languages the interface speaks, as (code, name in that language).
struct Language {
  const char* code;
  const char* name;
};
const std::vector<Language>& languages();  // en, pt

// Chooses the language of tr(); unknown codes fall back to English.
void set_language(std::string_view code);
const std::string& language();

// The text of `key` in the current language (English when that language lacks it; the key
// itself when no language has it). Texts with printf conversions keep the same conversions
// in every language. The pointer stays valid for the whole run.
const char* tr(std::string_view key);
// The text of `key` in a given language (for tests and the language menu).
const char* tr(std::string_view key, std::string_view lang);

// A translated printf format filled in: tr_format(tr("dlg.saved"), n, path).
template <typename... A>
std::string tr_format(const char* fmt, A... args) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// Every key of the table (for tests: each has a text in every language).
std::vector<std::string_view> i18n_keys();

}  // namespace mailsim
