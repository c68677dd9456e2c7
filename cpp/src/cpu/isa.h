#pragma once
// The instruction set a CPU translation unit is compiled for. cpu/elementwise.cpp and
// cpu/scan.cpp are compiled twice (CMakeLists.txt): as baseline x86-64 and with EMBER_ISA=avx2
// (-mavx2 -mfma); the inline helpers they use live in an inline namespace of that name so the
// two copies never mix, and cpu/dispatch.cpp picks the kernels once per process.
#ifndef EMBER_ISA
#define EMBER_ISA baseline
#endif
