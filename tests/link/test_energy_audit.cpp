// Issue 11's numeric guard: a block that says it is passive (fibre, filter, attenuator, trace)
// can never put out more energy than it took in. The audit runs in debug builds always, and in
// release builds with OPTILANE_CHECK_ENERGY=1; it stops the run naming the block and chunk.
#include <catch2/catch.hpp>

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
