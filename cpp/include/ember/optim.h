#pragma once
// The umbrella include of ember's optimizers and gradient clipping.
#include "ember/optim/adadelta.h"
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/adamax.h"
#include "ember/optim/asgd.h"
#include "ember/optim/clip.h"
#include "ember/optim/lr_scheduler.h"
#include "ember/optim/nadam.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/radam.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/sgd.h"
