#pragma once
// Registration of each indicator family's operators into a catalog (one .cpp per family).

namespace itrade::features {

class OperatorCatalog;

void register_moving_averages(OperatorCatalog& catalog);
void register_momentum(OperatorCatalog& catalog);
void register_volatility(OperatorCatalog& catalog);
void register_volume(OperatorCatalog& catalog);
void register_price_action(OperatorCatalog& catalog);
void register_structure(OperatorCatalog& catalog);
void register_time_features(OperatorCatalog& catalog);

}  // namespace itrade::features
