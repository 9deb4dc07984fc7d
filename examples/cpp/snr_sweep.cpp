// A link described in code and run by the lane runner: the chain of examples/awgn-pam4.yaml
// (transmit filter, AWGN, the IEEE 802.3 reference receiver), swept over the SNR. Prints BER
// (Monte-Carlo with its 95 % interval, and semi-analytic) against SNR: a small waterfall.
//
//   snr_sweep [SYMBOLS]       exit status 0 when BER falls as the SNR rises
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"

using namespace optilane;

namespace {

LinkConfig link_at(double snr_db, long symbols) {
  const std::string yaml = fmt::format(R"(
name: snr-sweep
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 16, pattern: prbs13q,
          symbols: {0}, seed: 1}}
chain:
  - block: filter
    shape: bessel
    bandwidth: 40 GHz
  - block: awgn
    snr: {1} dB
  - block: filter
    shape: bessel
    bandwidth: 39.84 GHz
analysis:
  target_ber: 2.4e-4
  monte_carlo: {{symbols: {0}, min_errors: 100}}
)",
                                       symbols, snr_db);
  return parse_link_config(parse_yaml(yaml, "<snr_sweep>"));
}

}  // namespace

int main(int argc, char** argv) {
  const long symbols = argc > 1 ? std::atol(argv[1]) : 32768;
  std::printf("%8s  %12s  %26s  %14s\n", "SNR [dB]", "BER (MC)", "MC 95 % interval",
              "BER (semi-an.)");
  double previous = 1.0;
  bool falling = true;
  for (double snr_db = 14.0; snr_db <= 20.0; snr_db += 2.0) {
    const LinkResult result = run_link(link_at(snr_db, symbols), 1);
    const SlicerResult& s = result.lanes.at(0).slicer;
    std::printf("%8.1f  %12.3e  [%11.3e, %11.3e]  %14.3e\n", snr_db, s.ber_monte_carlo,
                s.ber_ci95_low, s.ber_ci95_high, s.ber_semi_analytic);
    falling = falling && s.ber_semi_analytic < previous;
    previous = s.ber_semi_analytic;
  }
  return falling ? 0 : 1;
}
