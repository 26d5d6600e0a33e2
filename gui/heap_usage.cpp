#include "gui/heap_usage.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

#include <vector>

#if MAILSIM_MIMALLOC
#include <mimalloc.h>
#endif

namespace mailsim {

HeapUsage heap_usage() {
#if MAILSIM_MIMALLOC
  // The process's resident set, from /proc (mimalloc's own figure for it is its commit).
  std::size_t pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%zu %zu", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return {0, resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), false};
#else
  const auto m = mallinfo2();
  return {m.uordblks, m.uordblks + m.hblkhd};
#endif
}

std::string allocator_name() {
#if MAILSIM_MIMALLOC
  // Linked is not enough: malloc must really be mimalloc's (the dynamic override).
  const std::vector<char> probe(64);  // through operator new, i.e. malloc
  if (mi_is_in_heap_region(probe.data())) {
    const int v = mi_version();
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
           std::to_string(v % 10);
  }
  return "glibc malloc (mimalloc linked but not in use)";
#else
  return "glibc malloc";
#endif
}

}  // namespace mailsim
