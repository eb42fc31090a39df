#include "keyfiles/discover.hpp"
