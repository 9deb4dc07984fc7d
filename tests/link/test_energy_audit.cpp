// Issue 11's numeric guard: a block that says it is passive (fibre, filter, attenuator, trace)
// can never put out more energy than it took in. The audit runs in debug builds always, and in
// release builds with OPTILANE_CHECK_ENERGY=1; it stops the run naming the block and chunk.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "phy/errors.hpp"

using namespace optilane;
using Catch::Matchers::Contains;

namespace {

/// Claims to be passive but doubles its input: what the audit exists to catch.
class FaultyPassiveBlock final : public Block {
 public:
  [[nodiscard]] std::string_view kind() const override { return "faulty_passive"; }
  void process(Signal& chunk) override {
    for (double& v : chunk.electrical) v *= 2.0;
  }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<FaultyPassiveBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override { return "doubles its input"; }
  [[nodiscard]] bool is_passive() const override { return true; }
};

const char* lane_yaml = R"(
name: energy-audit
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 6000, seed: 1}
chain:
  - {block: filter, shape: bessel, order: 4, bandwidth: 15 GHz}
  - {block: awgn, snr: 25 dB}
analysis: {monte_carlo: false}
)";

struct EnergyAuditOn {
  EnergyAuditOn() { ::setenv("OPTILANE_CHECK_ENERGY", "1", 1); }
  ~EnergyAuditOn() { ::unsetenv("OPTILANE_CHECK_ENERGY"); }
};

}  // namespace

TEST_CASE("The energy audit stops a 'passive' block that gains energy, naming it and the chunk",
          "[link][reliability][energy]") {
  const EnergyAuditOn audit;
  const LinkConfig config = parse_link_config(parse_yaml(lane_yaml, "<test>"));

  // A real passive chain (Bessel filter, |H| ≤ 1) passes the audit.
  CHECK_NOTHROW(run_lane_with_chain(config, 0, build_chain(config, 0)));

  auto chain = build_chain(config, 0);
  auto faulty = std::make_unique<FaultyPassiveBlock>();
  faulty->set_label("gainful_trace");
  chain.insert(chain.begin() + 1, std::move(faulty));
  try {
    (void)run_lane_with_chain(config, 0, std::move(chain));
    FAIL("the audit let a passive block double the energy");
  } catch (const NumericError& e) {
    CHECK_THAT(std::string(e.what()), Contains("gainful_trace"));
    CHECK_THAT(std::string(e.what()), Contains("faulty_passive"));
    CHECK_THAT(std::string(e.what()), Contains("chunk 0"));
  }
}

namespace {

/// Puts `value` into one sample of chunk 1: the guard after every block must stop the run.
class PoisonBlock final : public Block {
 public:
  PoisonBlock(double value, std::size_t at) : value_(value), at_(at) {}
  [[nodiscard]] std::string_view kind() const override { return "poison"; }
  void process(Signal& chunk) override {
    if (chunk.chunk_index == 1 && at_ < chunk.electrical.size()) chunk.electrical[at_] = value_;
  }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<PoisonBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override { return "poisons one sample"; }

 private:
  double value_;
  std::size_t at_;
};

}  // namespace

TEST_CASE("A NaN or an infinity in any sample stops the run, naming the block and the chunk",
          "[link][reliability]") {
  const LinkConfig config = parse_link_config(parse_yaml(lane_yaml, "<test>"));
  // Positions at the start, inside and at the end of a 2048-symbol chunk (8 samples per symbol),
  // off any 4- or 8-sample boundary of a vectorised loop.
  for (const double value : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    for (const std::size_t at : {std::size_t{0}, std::size_t{4099}, std::size_t{16383}}) {
      INFO("value " << value << " at " << at);
      auto chain = build_chain(config, 0);
      auto poison = std::make_unique<PoisonBlock>(value, at);
      poison->set_label("poisoned");
      chain.insert(chain.begin() + 1, std::move(poison));
      try {
        (void)run_lane_with_chain(config, 0, std::move(chain));
        FAIL("a non-finite sample went through");
      } catch (const NumericError& e) {
        CHECK_THAT(std::string(e.what()), Contains("poisoned"));
        CHECK_THAT(std::string(e.what()), Contains("chunk 1"));
      }
    }
  }
}
