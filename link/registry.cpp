#include "link/registry.hpp"

#include "channels/copper/connector.hpp"
#include "channels/copper/package.hpp"
#include "channels/copper/pcb_trace.hpp"
#include "channels/copper/touchstone.hpp"
#include "channels/copper/twinax.hpp"
#include "channels/optical/fiber.hpp"
#include "channels/optical/optical_attenuator.hpp"
#include "channels/optical/optical_connector.hpp"
#include "channels/optical/wdm_filter.hpp"
#include "devices/drivers/driver.hpp"
#include "devices/dsp/adc.hpp"
#include "devices/dsp/retimer.hpp"
#include "devices/dsp/rx_dsp_blocks.hpp"
#include "devices/lasers/laser.hpp"
#include "devices/modulators/eml.hpp"
#include "devices/modulators/intensity_modulator.hpp"
#include "devices/modulators/mrm.hpp"
#include "devices/modulators/mzm.hpp"
#include "devices/receivers/photodetector.hpp"
#include "devices/receivers/tia.hpp"
#include "devices/serdes/ctle.hpp"
#include "devices/serdes/serdes_rx.hpp"
#include "devices/serdes/serdes_tx.hpp"
#include "phy/blocks/awgn_block.hpp"
#include "phy/blocks/filter_block.hpp"

namespace optilane {
namespace {

/// A maker for a block whose parameter struct has a static `read(ParamReader&)`.
template <typename BlockT, typename ParamsT>
std::function<std::unique_ptr<Block>(ParamReader&)> maker() {
  return [](ParamReader& reader) -> std::unique_ptr<Block> {
    return std::make_unique<BlockT>(ParamsT::read(reader));
  };
}

std::vector<BlockType> make_registry() {
  std::vector<BlockType> types;
  types.push_back({"filter", "signal",
                   "a plain linear filter: Bessel-Thomson, Butterworth, Gaussian, raised cosine "
                   "or brick-wall",
                   maker<FilterBlock, FilterParams>()});
  types.push_back({"awgn", "signal", "additive white Gaussian noise at a set SNR or density",
                   maker<AwgnBlock, AwgnParams>()});
  types.push_back({"laser", "optical",
                   "a laser: CW or external laser source (carrier for a modulator), or a DFB by "
                   "rate equations",
                   make_laser});
  types.push_back({"intensity_modulator", "optical",
                   "ideal intensity modulator: linear in power, chirp-free, set extinction ratio",
                   maker<IntensityModulator, IntensityModulatorParams>()});
  types.push_back({"eml", "optical",
                   "electro-absorption modulator section of an EML (exponential or tabulated "
                   "absorption, voltage-dependent chirp, RC bandwidth)",
                   maker<Eml, EmlParams>()});
  types.push_back({"mrm", "optical",
                   "silicon micro-ring modulator by coupled-mode theory (loaded Q, pm/V, "
                   "detuning, thermal tuning)",
                   maker<Mrm, MrmParams>()});
  types.push_back({"driver", "electrical",
                   "modulator driver: linear (gain, bandwidth, swing, noise) or DAC (ENOB)",
                   maker<Driver, DriverParams>()});
  types.push_back({"mzm", "optical",
                   "silicon push-pull travelling-wave Mach-Zehnder modulator (VπL, √f electrode "
                   "loss, sine transfer)",
                   maker<Mzm, MzmParams>()});
  types.push_back({"photodetector", "receiver",
                   "PIN/APD photodetector: responsivity, dark current, bandwidth, shot noise",
                   maker<PhotodetectorBlock, PhotodetectorParams>()});
  types.push_back({"tia", "receiver",
                   "transimpedance amplifier: input noise density, bandwidth, linear or limiting, "
                   "fixed gain or AGC",
                   maker<TiaBlock, TiaParams>()});
  types.push_back({"fiber", "optical",
                   "single-mode fibre: attenuation, dispersion from λ0 and S0 (G.652), optional "
                   "Kerr by split-step",
                   maker<FiberBlock, FiberParams>()});
  types.push_back({"optical_attenuator", "optical", "a flat optical loss",
                   maker<OpticalAttenuatorBlock, OpticalAttenuatorParams>()});
  types.push_back({"optical_connector", "optical",
                   "optical connector: insertion loss and MPI from a pair of reflections",
                   maker<OpticalConnectorBlock, OpticalConnectorParams>()});
  types.push_back({"mux", "optical",
                   "WDM multiplexer port: super-Gaussian passband, insertion loss, isolation",
                   maker<MuxBlock, WdmFilterParams>()});
  types.push_back({"demux", "optical",
                   "WDM demultiplexer port: super-Gaussian passband, insertion loss, isolation "
                   "floor; adds the other lanes' leaked light (crosstalk)",
                   maker<DemuxBlock, WdmFilterParams>()});
  types.push_back({"ffe", "dsp",
                   "receiver feed-forward equaliser (T or T/2), MMSE or LMS; applied after "
                   "sampling by the receiver DSP pipeline",
                   maker<FfeBlock, FfeParams>()});
  types.push_back({"dfe", "dsp",
                   "receiver decision-feedback equaliser (error propagation in "
                   "Monte-Carlo)",
                   maker<DfeBlock, DfeParams>()});
  types.push_back({"adc", "dsp",
                   "receiver ADC: ENOB quantisation noise and full-scale clipping, before the "
                   "DSP blocks",
                   maker<AdcBlock, AdcParams>()});
  types.push_back({"cdr", "dsp",
                   "clock recovery for the receiver DSP: Mueller-Muller or bang-bang phase "
                   "detector instead of the optimum-phase search",
                   maker<CdrBlock, CdrParams>()});
  types.push_back({"mlse", "dsp", "receiver MLSE: Viterbi detection for a 1+αD target",
                   maker<MlseBlock, MlseParams>()});
  types.push_back({"serdes_tx", "electrical",
                   "host SerDes transmitter: Tx FFE, swing, DAC bandwidth and ENOB, RJ/SJ, SNR_TX",
                   maker<SerdesTxBlock, SerdesTxParams>()});
  types.push_back({"package", "electrical",
                   "IEEE 802.3 COM package: die capacitance, substrate line, ball capacitance",
                   maker<PackageBlock, PackageParams>()});
  types.push_back({"pcb_trace", "electrical",
                   "differential stripline: skin effect, roughness, Djordjevic–Sarkar dielectric",
                   maker<PcbTraceBlock, PcbTraceParams>()});
  types.push_back({"connector", "electrical", "copper connector: loss and reflections",
                   maker<ConnectorBlock, ConnectorParams>()});
  types.push_back({"twinax", "electrical", "twinax cable (DAC, flyover), loss a√f + b·f per gauge",
                   maker<TwinaxBlock, TwinaxParams>()});
  types.push_back({"touchstone", "electrical",
                   "Touchstone 1.x S-parameter channel (.s2p/.s4p), differential SDD21",
                   maker<TouchstoneBlock, TouchstoneParams>()});
  types.push_back({"ctle", "electrical",
                   "continuous-time linear equaliser: the IEEE 802.3 COM CTLE on its own "
                   "(redriver, linear TIA or driver equaliser)",
                   maker<CtleBlock, CtleParams>()});
  types.push_back({"serdes_rx", "electrical",
                   "host SerDes receiver front end: COM CTLE and receiver bandwidth, input noise",
                   maker<SerdesRxBlock, SerdesRxParams>()});
  types.push_back({"retimer", "dsp",
                   "the DSP of a pluggable module: receives (FFE/DFE/MLSE), ends a segment and "
                   "starts the next with regenerated symbols",
                   maker<Retimer, RetimerParams>()});
  return types;
}

}  // namespace

const std::vector<BlockType>& block_types() {
  static const std::vector<BlockType> types = make_registry();
  return types;
}

const BlockType* find_block_type(const std::string& name) {
  for (const auto& type : block_types()) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::vector<std::string> block_type_names() {
  std::vector<std::string> names;
  for (const auto& type : block_types()) names.push_back(type.name);
  return names;
}

bool block_takes_carrier(const std::string& name) {
  return name == "intensity_modulator" || name == "eml" || name == "mrm" || name == "mzm";
}

}  // namespace optilane
