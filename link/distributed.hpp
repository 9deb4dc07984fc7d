// Runs across processes with MPI (Open MPI): `mpirun -n N optilane sweep ...` splits the points
// over the ranks and gathers the rows on rank 0, which writes the one result file.
//
// MPI is optional at build time (OPTILANE_HAVE_MPI) and at run time: MPI is initialised only when
// the process was started by mpirun (its environment says so), so a plain `optilane sweep` never
// pays for it and behaves as one rank of one.
#pragma once

#include <string>
#include <vector>

namespace optilane {

class DistributedSession {
 public:
  /// Initialises MPI when built with it and launched by mpirun; otherwise a session of one.
  DistributedSession(int* argc, char*** argv);
  ~DistributedSession();
  DistributedSession(const DistributedSession&) = delete;
  DistributedSession& operator=(const DistributedSession&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] bool is_root() const { return rank_ == 0; }
  /// Ranks sharing this machine (to split its cores between them).
  [[nodiscard]] int local_size() const { return local_size_; }

  /// Gathers every rank's text on rank 0 (in rank order); other ranks get an empty vector.
  [[nodiscard]] std::vector<std::string> gather_to_root(const std::string& text) const;

  /// True on every rank when `ok` is true on every rank (a collective: all ranks must call it).
  [[nodiscard]] bool all_ok(bool ok) const;

  /// True when this binary was built with MPI support.
  [[nodiscard]] static bool built_with_mpi();

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool initialised_ = false;
};

}  // namespace optilane
