// Append-only storage in fixed-size chunks instead of one growing vector (the trace's events).
// A vector that doubles moves every event it holds on each growth (a variant of strings is
// not trivially relocatable) and touches twice the memory it keeps; chunks never move, so
// appending costs the same at the millionth event as at the first, and a reference to an
// event stays valid while later events are appended.
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace sim {

template <class T>
class ChunkedLog {
  // 1024 events of about 250 bytes: a quarter of a megabyte per chunk.
  static constexpr std::size_t kBits = 10;
  static constexpr std::size_t kChunk = std::size_t{1} << kBits;
  static constexpr std::size_t kMask = kChunk - 1;

 public:
  // Read-only, random access (the views binary-search the log by time).
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using iterator_concept = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    const_iterator(const ChunkedLog* log, std::size_t i) : log_(log), i_(i) {}

    reference operator*() const { return (*log_)[i_]; }
    pointer operator->() const { return &(*log_)[i_]; }
    reference operator[](difference_type n) const { return *(*this + n); }

    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    const_iterator& operator--() {
      --i_;
      return *this;
    }
    const_iterator operator--(int) {
      auto old = *this;
      --i_;
      return old;
    }
    const_iterator& operator+=(difference_type n) {
      i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n);
      return *this;
    }
    const_iterator& operator-=(difference_type n) { return *this += -n; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.i_ == b.i_;
    }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) {
      return a.i_ <=> b.i_;
    }

   private:
    const ChunkedLog* log_ = nullptr;
    std::size_t i_ = 0;
  };
  using iterator = const_iterator;
  using value_type = T;
  using size_type = std::size_t;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kBits][i & kMask]; }
  T& operator[](std::size_t i) { return chunks_[i >> kBits][i & kMask]; }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[size_ - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  // Constructs the element in place (parenthesised aggregate initialisation included).
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if ((size_ & kMask) == 0) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);  // filled to exactly this: never reallocates
    }
    T& added = chunks_.back().emplace_back(std::forward<Args>(args)...);
    ++size_;
    return added;
  }
  T& push_back(T&& v) { return emplace_back(std::move(v)); }

 private:
  std::vector<std::vector<T>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace sim
