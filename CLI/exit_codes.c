/*
 * exit_codes.c - deface_status to exit code, in one place (exit_codes.h).
 */
#include "exit_codes.h"

int exit_code(deface_status status)
{
  switch (status) {
  case DEFACE_OK:
    return EXIT_DONE;
  case DEFACE_E_INPUT:
    return EXIT_INPUT;
  case DEFACE_E_REFUSED:
    return EXIT_REFUSED;
  case DEFACE_E_SELFCHECK:
    return EXIT_SELFCHECK;
  case DEFACE_E_OUTPUT:
    return EXIT_OUTPUT;
  case DEFACE_E_INTERNAL:
  case DEFACE_E_USAGE:
  case DEFACE_E_NOMEM:
  case DEFACE_E_CANCELLED:
    return EXIT_INTERNAL;
  }
  return EXIT_INTERNAL;
}
