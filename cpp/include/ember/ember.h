#pragma once
// The umbrella include of ember's C++ API.
#include "ember/autograd.h"
#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/ops.h"
#include "ember/random.h"
#include "ember/scalar.h"
#include "ember/shape.h"
#include "ember/tensor.h"
