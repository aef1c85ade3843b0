#ifndef PNG_SHIM_H
#define PNG_SHIM_H
// Placeholder: the Figures work fills this in with setjmp-guarded libpng calls.
int png_shim_version(void);
#endif
