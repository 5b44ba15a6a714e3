#include <criterion/criterion.h>
Test(reader, placeholder) { cr_assert(1); }
