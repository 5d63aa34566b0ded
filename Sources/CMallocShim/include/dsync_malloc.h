#ifndef DSYNC_MALLOC_H
#define DSYNC_MALLOC_H
/* glibc's malloc_trim, which Swift's Glibc module does not import (<malloc.h> is not in it):
 * returns freed heap memory, including free pages inside arenas, to the system. */
int dsync_malloc_trim(void);
#endif
