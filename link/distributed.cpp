#include "link/distributed.hpp"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#ifdef OPTILANE_HAVE_MPI
// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace optilane {
namespace {

/// Open MPI, MPICH/PMI and PMIx launchers each set one of these in their children.
bool launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

int environment_integer(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr) return fallback;
  const int value = std::atoi(text);
  return value > 0 ? value : fallback;
}

}  // namespace

bool DistributedSession::built_with_mpi() {
#ifdef OPTILANE_HAVE_MPI
  return true;
#else
  return false;
#endif
}

DistributedSession::DistributedSession([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
#ifdef OPTILANE_HAVE_MPI
  if (!launched_by_mpirun()) return;
  int provided = 0;
  // Only the main thread calls MPI; OpenMP threads inside a rank run points.
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  local_size_ = environment_integer("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
#else
  (void)launched_by_mpirun;
  (void)environment_integer;
#endif
}

DistributedSession::~DistributedSession() {
#ifdef OPTILANE_HAVE_MPI
  if (initialised_) MPI_Finalize();
#endif
}

bool DistributedSession::all_ok(bool ok) const {
  if (size_ == 1) return ok;
#ifdef OPTILANE_HAVE_MPI
  int mine = ok ? 1 : 0;
  int all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all == 1;
#else
  return ok;
#endif
}

std::vector<std::string> DistributedSession::gather_to_root(const std::string& text) const {
  if (size_ == 1) return {text};
#ifdef OPTILANE_HAVE_MPI
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::runtime_error("a rank's results exceed 2 GiB; split the sweep");
  }
  const int length = static_cast<int>(text.size());
  std::vector<int> lengths(static_cast<std::size_t>(size_));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> displacements(static_cast<std::size_t>(size_), 0);
  std::string all;
  if (rank_ == 0) {
    long total = 0;
    for (int r = 0; r < size_; ++r) {
      displacements[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += lengths[static_cast<std::size_t>(r)];
    }
    if (total > std::numeric_limits<int>::max()) {
      // The other ranks already wait in MPI_Gatherv: abort them all rather than hang.
      std::fputs("optilane: the gathered results exceed 2 GiB; split the sweep\n", stderr);
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), displacements.data(),
              MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank_ != 0) return {};
  std::vector<std::string> parts;
  for (int r = 0; r < size_; ++r) {
    parts.push_back(all.substr(static_cast<std::size_t>(displacements[static_cast<std::size_t>(r)]),
                               static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
  }
  return parts;
#else
  return {text};
#endif
}

}  // namespace optilane
