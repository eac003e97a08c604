#!/bin/sh
# Package scripts must not start services while an image is built: containers start their own.
exit 101
