/* Links against the installed library and checks the version it reports. */
#include <stdio.h>
#include <string.h>

#include <qlwm2m/qlwm2m.h>

int main(void)
{
    if (strcmp(qlw_version(), QLWM2M_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", QLWM2M_VERSION_STRING, qlw_version());
        return 1;
    }
    printf("consumer: linked qlwm2m %s\n", qlw_version());
    return 0;
}
