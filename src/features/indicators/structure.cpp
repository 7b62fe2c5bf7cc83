#include "features/indicators/families.h"

namespace itrade::features {

void register_structure(OperatorCatalog&) {}

}  // namespace itrade::features
