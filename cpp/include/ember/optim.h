#pragma once
// The umbrella include of ember's optimizers and gradient clipping.
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/clip.h"
#include "ember/optim/lbfgs.h"
#include "ember/optim/lr_scheduler.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"
