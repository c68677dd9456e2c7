#pragma once
// The umbrella include of ember's whole public C++ API: tensors, ops, autograd, serialization,
// layers (ember/nn.h), optimizers with their schedules (ember/optim.h) and image transforms
// (ember/data/). Python's bridge, ember/python.h, needs the Python headers and is included on
// its own.
#include "ember/autograd.h"
#include "ember/data/color.h"
#include "ember/data/geometry.h"
#include "ember/data/mixing.h"
#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/graph.h"
#include "ember/nn.h"
#include "ember/ops.h"
#include "ember/optim.h"
#include "ember/random.h"
#include "ember/scalar.h"
#include "ember/serialize.h"
#include "ember/shape.h"
#include "ember/tensor.h"
#include "ember/train/metrics.h"
