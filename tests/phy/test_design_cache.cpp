// phy/design_cache.hpp: one design per key, made once even when threads ask for it together.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "phy/design_cache.hpp"

using namespace optilane;

TEST_CASE("Threads asking for one key together share one make() and get its value",
          "[phy][design_cache]") {
  // The key is entered before make() runs, so a thread arriving while it runs waits for it and
  // a thread arriving later finds it made: make() runs once whatever the timing. (Before, each
  // thread that missed the memo made its own copy: with a 50 ms make() the eight threads below
  // nearly always overlapped.)
  DesignCache<int, int, 8> cache;
  std::atomic<int> makes{0};
  std::atomic<int> ready{0};
  constexpr int threads = 8;
  std::vector<int> values(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      values[static_cast<std::size_t>(t)] = cache.get(7, true, [&] {
        makes.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return 42;
      });
    });
  }
  for (auto& th : pool) th.join();
  CHECK(makes.load() == 1);
  for (int v : values) CHECK(v == 42);
  // A key that cannot be kept is made every time.
  CHECK(cache.get(8, false, [&] { return makes.fetch_add(1) + 1; }) == 2);
  CHECK(cache.get(8, false, [&] { return makes.fetch_add(1) + 1; }) == 3);
}

TEST_CASE("A make() that throws passes its exception on and leaves the key unmade",
          "[phy][design_cache]") {
  DesignCache<int, int, 8> cache;
  CHECK_THROWS_AS(cache.get(1, true, []() -> int { throw std::runtime_error("bad design"); }),
                  std::runtime_error);
  CHECK(cache.get(1, true, [] { return 5; }) == 5);
  CHECK(cache.get(1, true, [] { return 6; }) == 5);  // kept from the second call
}

TEST_CASE("A full memo is emptied and keeps serving values", "[phy][design_cache]") {
  DesignCache<int, int, 2> cache;
  int makes = 0;
  for (int key : {1, 2, 3, 1}) cache.get(key, true, [&] { return ++makes; });
  CHECK(makes == 4);  // 3 emptied the memo holding 1 and 2, so 1 was made again
  CHECK(cache.get(3, true, [&] { return ++makes; }) == 3);
}
