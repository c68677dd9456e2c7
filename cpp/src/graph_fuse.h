#pragma once
// Pointwise fusion of a captured graph (Graph::optimize): chains of elementwise.def kernels and
// copies run as one pass over memory.
#include <unordered_set>
#include <vector>

#include "ember/graph.h"

namespace ember::graph {

/// Replaces each run of two or more pointwise steps (table rows and copies) over one element count
/// (operands contiguous, or broadcast scalars) by one step that runs their rows tile by tile, in
/// order, so every element gets the same operations as before. Steps between them that do not
/// touch what the run wrote move before it. Intermediates that only the run touches (storages in
/// `own`, not pinned, written first, read and written by no other step) live in tile buffers and
/// never reach memory; everything else is read and written in place. Records each chain in plan.
void fuse_pointwise(std::vector<Step>& steps, const std::unordered_set<const Storage*>& own,
                    const std::unordered_set<const Storage*>& pinned, Plan& plan);

}  // namespace ember::graph
