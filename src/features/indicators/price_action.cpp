#include "features/indicators/families.h"

namespace itrade::features {

void register_price_action(OperatorCatalog&) {}

}  // namespace itrade::features
