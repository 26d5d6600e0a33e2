// A Mailstore with one account, mirrored to a Maildir under `root` and loaded from what is
// already there (a restart when the folder is not empty): the rig of the durable-store tests.
// The mirror's error reports are kept in `errors`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"

namespace nettest {

struct MirroredStore {
  net::store::Mailstore store;
  std::unique_ptr<net::store::MaildirMirror> mirror;
  std::vector<std::string> errors;
  MirroredStore(const std::filesystem::path& root, const net::store::Account& account,
                std::uint32_t uid_validity_base, std::int64_t now) {
    store.set_uid_validity_base(uid_validity_base);
    store.add_account(account);
    mirror =
        std::make_unique<net::store::MaildirMirror>(store, root, "mx", 77, [now] { return now; });
    mirror->load();
    mirror->on_error([this](const std::string& e) { errors.push_back(e); });
    mirror->attach();
  }
  MirroredStore(const MirroredStore&) = delete;  // the mirror's callback holds `this`
  MirroredStore& operator=(const MirroredStore&) = delete;
};

}  // namespace nettest
