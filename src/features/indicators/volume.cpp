#include "features/indicators/families.h"

namespace itrade::features {

void register_volume(OperatorCatalog&) {}

}  // namespace itrade::features
