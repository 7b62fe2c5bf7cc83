#include "features/indicators/families.h"

namespace itrade::features {

void register_time_features(OperatorCatalog&) {}

}  // namespace itrade::features
