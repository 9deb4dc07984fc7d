// A bounded, thread-safe memo of results that are pure functions of a noiseless record.
//
// The lanes of a port run the same chain on the same pattern (PRBS patterns start from their
// standard seed on every lane) and, at one wavelength, carry the same noiseless record; only
// their noise differs. What is computed from the noiseless record alone — the sampled pulse fit
// of the statistical eye, the slicer's coarse delay, the received OMA's level fit — is then the
// same for every such lane. The memo keys a result on its whole input, every record and scalar
// as bytes, compared in full (a hash only screens): a result is reused exactly when a fresh call
// would have been made with the same bytes, so it is the value that call would return, bit for
// bit. Lanes whose records differ (other wavelengths, random patterns, another offset) miss and
// compute their own.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace optilane {

/// The whole input of a memoised call, as bytes.
class RecordKey {
 public:
  explicit RecordKey(std::string_view tag) { append_bytes(tag.data(), tag.size()); }
  template <typename T>
  RecordKey& add(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t n = values.size();
    append_bytes(&n, sizeof n);  // lengths too: [a, b] + [c] differs from [a] + [b, c]
    append_bytes(values.data(), values.size_bytes());
    return *this;
  }
  template <typename T>
  RecordKey& add(T value) {
    static_assert(std::is_arithmetic_v<T>);
    append_bytes(&value, sizeof value);
    return *this;
  }
  [[nodiscard]] const std::string& bytes() const { return bytes_; }
  [[nodiscard]] std::size_t hash() const { return std::hash<std::string>{}(bytes_); }

 private:
  void append_bytes(const void* data, std::size_t size) {
    bytes_.append(static_cast<const char*>(data), size);
  }
  std::string bytes_;
};

/// Sharing on (the default) or off: off, every call computes (tests compare the two).
inline std::atomic<bool>& record_memo_enabled() {
  static std::atomic<bool> enabled{true};
  return enabled;
}

template <typename Value, std::size_t Capacity>
class RecordMemo {
 public:
  /// The value for `key`, made by `make()` when no kept entry has the same bytes. Two threads
  /// missing together both make it (the same value). The oldest entry makes room for a new one.
  template <typename Make>
  Value get(const RecordKey& key, Make make) {
    if (!record_memo_enabled().load(std::memory_order_relaxed)) return make();
    const std::size_t hash = key.hash();
    {
      const std::lock_guard lock(mutex_);
      for (const Entry& entry : entries_) {
        if (entry.hash == hash && entry.key == key.bytes()) return *entry.value;
      }
    }
    auto value = std::make_shared<const Value>(make());
    const std::lock_guard lock(mutex_);
    if (entries_.size() < Capacity) {
      entries_.push_back({hash, key.bytes(), value});
    } else {
      entries_[next_] = {hash, key.bytes(), value};
      next_ = (next_ + 1) % Capacity;
    }
    return *value;
  }

 private:
  struct Entry {
    std::size_t hash = 0;
    std::string key;
    std::shared_ptr<const Value> value;
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
  std::size_t next_ = 0;
};

}  // namespace optilane
