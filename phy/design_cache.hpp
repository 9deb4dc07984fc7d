// A bounded, thread-safe memo of filter designs. The same few designs (photodetector and TIA
// responses, the TDECQ reference receiver, a modulator's electrode) recur for every chain built —
// a lane's noise-budget and sensitivity re-runs, every sweep point — and each costs an FFT of a
// large response grid. A kept design is the very value a fresh one would compute.
#pragma once

#include <cstddef>
#include <exception>
#include <future>
#include <map>
#include <mutex>

namespace optilane {

template <typename Key, typename Value, std::size_t Capacity>
class DesignCache {
 public:
  /// The value for `key`, made by `make()` on first use. A key that is not `cacheable` (a NaN
  /// does not order, so it cannot be a map key) is made every time. A thread asking for a key
  /// another thread is making waits for that value instead of making it again (lanes started
  /// together ask for the same designs). If `make()` throws, its waiters get the exception and
  /// the key is forgotten. The memo is emptied when it holds `Capacity` values.
  template <typename Make>
  Value get(const Key& key, bool cacheable, Make make) {
    if (!cacheable) return make();
    std::promise<Value> promise;
    std::shared_future<Value> kept;
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = cache_.find(key); it != cache_.end()) {
        kept = it->second;
      } else {
        if (cache_.size() >= Capacity) cache_.clear();
        cache_.emplace(key, promise.get_future().share());
      }
    }
    if (kept.valid()) return kept.get();  // made, or being made by another thread
    try {
      Value value = make();
      promise.set_value(value);
      return value;
    } catch (...) {
      promise.set_exception(std::current_exception());
      const std::lock_guard lock(mutex_);
      cache_.erase(key);
      throw;
    }
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::shared_future<Value>> cache_;
};

}  // namespace optilane
