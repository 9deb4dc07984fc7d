// A bounded, thread-safe memo of filter designs. The same few designs (photodetector and TIA
// responses, the TDECQ reference receiver, a modulator's electrode) recur for every chain built —
// a lane's noise-budget and sensitivity re-runs, every sweep point — and each costs an FFT of a
// large response grid. A kept design is the very value a fresh one would compute.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>

namespace optilane {

template <typename Key, typename Value, std::size_t Capacity>
class DesignCache {
 public:
  /// The value for `key`, made by `make()` on first use. A key that is not `cacheable` (a NaN
  /// does not order, so it cannot be a map key) is made every time. The memo is emptied when it
  /// holds `Capacity` values.
  template <typename Make>
  Value get(const Key& key, bool cacheable, Make make) {
    if (!cacheable) return make();
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    Value value = make();
    const std::lock_guard lock(mutex_);
    if (cache_.size() >= Capacity) cache_.clear();
    cache_.emplace(key, value);
    return value;
  }

 private:
  std::mutex mutex_;
  std::map<Key, Value> cache_;
};

}  // namespace optilane
