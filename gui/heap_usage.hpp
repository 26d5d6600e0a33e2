// Heap in use, for `mailsim bench sim`'s bytes per trace event, whichever allocator the
// program runs on: glibc's malloc (counted by mallinfo2) or mimalloc (every build without the
// sanitizers; counted by the resident set's growth).
#pragma once

#include <cstddef>
#include <string>

namespace mailsim {

struct HeapUsage {
  std::size_t small = 0;  // small blocks in use (strings, nodes): glibc's arenas
  std::size_t all = 0;    // plus the large blocks mapped on their own (the trace's chunks)
  // mimalloc tells no bytes in use (its committed memory moves in steps of tens of MiB):
  // then `small` is unknown and `all` is the resident set.
  bool small_known = true;
};

HeapUsage heap_usage();
// "glibc malloc" or "mimalloc 2.0.9", as checked on a live allocation.
std::string allocator_name();

}  // namespace mailsim
