// serve --maildir on-disk names: Maildir++ folder directories, ",U=" file names, info
// letters and the mailsim-uidlist format.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/store/maildir_names.hpp"
#include "net/store/maildir_uidlist.hpp"

using net::store::maildir_flags;
using net::store::maildir_folder_dir;
using net::store::maildir_folder_name;
using net::store::maildir_info;
using net::store::parse_uid_list;
using net::store::UidList;
using Strings = std::vector<std::string>;

TEST_CASE("maildir names: folders are Maildir++ directories and come back unchanged") {
  CHECK(maildir_folder_dir("INBOX") == "");
  CHECK(maildir_folder_dir("Sent") == ".Sent");
  CHECK(maildir_folder_dir("Projects/2026") == ".Projects.2026");
  CHECK(maildir_folder_dir("a.b/c%d") == ".a%2Eb.c%25d");
  CHECK(maildir_folder_dir("Caf\xC3\xA9") == ".Caf\xC3\xA9");  // UTF-8 stays as it is
  CHECK(maildir_folder_dir("tab\there") == ".tab%09here");
  CHECK_FALSE(maildir_folder_dir(""));
  CHECK_FALSE(maildir_folder_dir("a//b"));
  for (std::string n : {"Sent", "Projects/2026", "a.b/c%d", "x/y/z", "Caf\xC3\xA9", "tab\there"})
    CHECK(maildir_folder_name(*maildir_folder_dir(n)) == n);
  // Not folder directories: no leading dot, empty levels, broken escapes.
  for (const char* d : {"cur", ".", "..", ".a..b", ".a.", ".%4", ".%zz", "..a"})
    CHECK_FALSE(maildir_folder_name(d));
}

TEST_CASE("maildir names: the UID lives in the file name") {
  auto n = net::store::parse_maildir_file_name("1700000000.P1Q2.mx,U=42:2,FS");
  CHECK(n.base == "1700000000.P1Q2.mx,U=42");
  CHECK(n.uid == 42);
  CHECK(n.info == "FS");
  auto s = net::store::parse_maildir_file_name("1.P1Q1.h,S=120,U=7,W=3");
  CHECK(s.uid == 7);
  CHECK(s.info.empty());
  // No UID, a zero UID, a UID too big or glued to other text: 0 (a new UID is given).
  CHECK(net::store::parse_maildir_file_name("1.P1Q1.h").uid == 0);
  CHECK(net::store::parse_maildir_file_name("1.h,U=0").uid == 0);
  CHECK(net::store::parse_maildir_file_name("1.h,U=4294967296").uid == 0);
  CHECK(net::store::parse_maildir_file_name("1.h,U=12x").uid == 0);
  CHECK(net::store::parse_maildir_file_name("1.h,U=4294967295").uid == 4294967295u);
  CHECK(net::store::maildir_base_with_uid("1.h", 5) == "1.h,U=5");
  CHECK(net::store::maildir_base_with_uid("1.h,U=3,S=9", 5) == "1.h,S=9,U=5");
}

TEST_CASE("maildir names: flags map to info letters in ASCII order, keywords to a-z") {
  Strings kw;
  // Maildir spec: D draft, F flagged, P passed, R replied, S seen, T trashed.
  CHECK(maildir_info({"\\Seen", "\\Draft", "\\Deleted", "\\Answered", "\\Flagged", "$Forwarded"},
                     kw) == "DFPRST");
  CHECK(kw.empty());
  CHECK(maildir_info({"\\Seen", "zeta", "alpha"}, kw) == "Sab");
  CHECK(kw == Strings{"zeta", "alpha"});
  CHECK(maildir_info({"ALPHA"}, kw) == "b");  // keywords compare case-insensitively
  CHECK(maildir_flags("DFPRST", {}) ==
        Strings{"\\Draft", "\\Flagged", "$Forwarded", "\\Answered", "\\Seen", "\\Deleted"});
  CHECK(maildir_flags("Sab", kw) == Strings{"\\Seen", "zeta", "alpha"});
  // Unknown letters (no keyword for 'c', an unknown capital) are ignored.
  CHECK(maildir_flags("SXc", kw) == Strings{"\\Seen"});
  // 26 keywords at most per folder: the 27th cannot be stored.
  Strings many;
  for (int i = 0; i < 26; ++i) many.push_back("k" + std::to_string(i));
  Strings table, dropped;
  CHECK(maildir_info(many, table, &dropped) == "abcdefghijklmnopqrstuvwxyz");
  CHECK(maildir_info({"one-more", "k3"}, table, &dropped) == "d");
  CHECK(dropped == Strings{"one-more"});
}

TEST_CASE("maildir uid list: round trip and strict parsing") {
  UidList l{1700000000, 42, {"project-x", "$Label1"}};
  const std::string text = net::store::format_uid_list(l);
  CHECK(text == "mailsim-uidlist 1 V1700000000 N42\na project-x\nb $Label1\n");
  CHECK(parse_uid_list(text) == l);
  CHECK(parse_uid_list("mailsim-uidlist 1 V5 N1\n") == UidList{5, 1, {}});
  // Corrupt: cut off, wrong header, zero validity, letters out of order, junk.
  for (const char* bad :
       {"", "mailsim-uidlist 1 V5 N1", "mailsim-uidlist 2 V5 N1\n", "dovecot 1 V5 N1\n",
        "mailsim-uidlist 1 V0 N1\n", "mailsim-uidlist 1 V5 N0\n", "mailsim-uidlist 1 V5 Nx\n",
        "mailsim-uidlist 1 V5 N1\nb skipped-a\n", "mailsim-uidlist 1 V5 N1\na two words\n",
        "mailsim-uidlist 1 V5 N1\n\n", "mailsim-uidlist 1 V99999999999 N1\n",
        "mailsim-uidlist 1 V5 N1 extra\n"})
    CHECK_FALSE(parse_uid_list(bad));
}
