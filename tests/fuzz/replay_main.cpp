// main() for the fuzz targets when they are not built with libFuzzer: runs every file
// named on the command line (a directory: every file in it, in name order) through
// LLVMFuzzerTestOneInput once, then the empty input. With no arguments it replays the
// target's seed corpus (MAILSIM_FUZZ_CORPUS, set by tests/fuzz/CMakeLists.txt). A crash,
// sanitizer report or abort is the failure; otherwise it prints how many inputs ran.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.string().c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu octets)\n", p.string().c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> args(argv + 1, argv + argc);
#ifdef MAILSIM_FUZZ_CORPUS
  if (args.empty()) args.emplace_back(MAILSIM_FUZZ_CORPUS);
#endif
  if (args.empty()) {
    std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  int ran = 0, errors = 0;
  for (const auto& a : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        std::fprintf(stderr, "%s: no files\n", a.string().c_str());
        ++errors;
      }
      for (const auto& f : files) errors += run_file(f), ++ran;
    } else {
      errors += run_file(a), ++ran;
    }
  }
  LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("%d inputs replayed, %d unreadable\n", ran, errors);
  return errors == 0 ? 0 : 1;
}
