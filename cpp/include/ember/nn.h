#pragma once
// The umbrella include of ember's layers: the Module tree, layers, losses, init, functional and utils.
#include "ember/nn/activation.h"
#include "ember/nn/clip.h"
#include "ember/nn/container.h"
#include "ember/nn/dropout.h"
#include "ember/nn/embedding.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/linear.h"
#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/nn/normalization.h"
#include "ember/nn/utils.h"
