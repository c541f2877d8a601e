export interface AIModel {
  id: string;
  displayName: string;
  creditsPerRequest: number;
}

/** The models on offer, from configuration. */
export class ModelCatalog {
  private readonly byId: Map<string, AIModel>;

  constructor(readonly models: readonly AIModel[]) {
    this.byId = new Map(models.map((m) => [m.id, m]));
  }

  find(id: string): AIModel | undefined {
    return this.byId.get(id);
  }
}
