/*
 * memory.c - large buffers (volumes, analysis grids) backed by huge pages
 * where the system offers them.
 *
 * A fresh 4 KiB page costs a fault the first time it is written; a 256^3
 * int16 volume is 8,192 of them, and on virtual machines each fault is
 * dear: copying a 32 MiB volume into fresh memory measured 0.106 s CPU with
 * malloc and 0.004 s with transparent huge pages (Linux, THP in "madvise"
 * mode as Debian ships it). Elsewhere, or for small sizes, this is malloc.
 * Either way the buffer is released with free().
 */
#if defined(__linux__)
#define _DEFAULT_SOURCE /* madvise and MADV_HUGEPAGE under -std=c11 */
#include <sys/mman.h>
#endif
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HUGE_PAGE ((size_t)2 << 20)
/* Below this, plain malloc: huge pages for the analysis grid's 1-2 MiB masks
 * saved another 0.04 s at 256^3 here but raised the peak memory from 2.3 to
 * 2.7 times the input (each rounded up to 2 MiB, several alive at once). */
#define LARGE_MIN_BYTES ((size_t)4 << 20)

/* A zeroed buffer this large comes from calloc, whose fresh memory the
 * kernel has zeroed already (a memset would zero it twice): huge pages are
 * then asked for its interior, which is all but the first, partial one. */
#define CALLOC_MIN_BYTES ((size_t)8 << 20)

void *deface__alloc_large(size_t bytes, int zero)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= LARGE_MIN_BYTES && bytes <= SIZE_MAX - 2 * HUGE_PAGE) {
    if (zero && bytes >= CALLOC_MIN_BYTES) {
      unsigned char *p = calloc(1, bytes);
      if (p) {
        uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        uintptr_t end = ((uintptr_t)p + bytes) / HUGE_PAGE * HUGE_PAGE;
        if (end > start) /* advice only: without huge pages it still works */
          (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
      }
      return p;
    }
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (p) {
      (void)madvise(p, rounded, MADV_HUGEPAGE);
      if (zero)
        memset(p, 0, bytes);
    }
    return p;
  }
#endif
  return zero ? calloc(1, bytes ? bytes : 1) : malloc(bytes ? bytes : 1);
}
