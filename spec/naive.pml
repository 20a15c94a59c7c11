/* The naive 2025 stack (docs/design.md, the end of "The safety protocol"): the same model as
 * resolute.pml with NAIVE defined. spin must find a counterexample here. */
#define NAIVE 1
#include "resolute.pml"
