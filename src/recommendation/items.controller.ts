import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { CatalogService } from './catalog.service';
import { ItemBodyDto, ItemDto, ItemListDto, ItemListQueryDto, UpsertItemsDto, UpsertItemsResultDto } from './items.dto';
import { SimilarItemsDto, SimilarQueryDto } from './recommend.dto';
import { RecommendService } from './recommend.service';

@ApiTags('recommendation')
@ApiBearerAuth()
@Controller('api/v1/recommendations/items')
export class ItemsController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly recommend: RecommendService,
  ) {}

  /** Creates or replaces items in one transaction (up to 10000); titles and categories also become NLU gazetteer values of the project. */
  @Post('bulk')
  @AdminOnly()
  @ApiBody({
    type: UpsertItemsDto,
    examples: {
      zh: {
        summary: '图书与T恤衫（中文标题）',
        value: {
          items: [
            { id: 'book-doupo', title: '斗破苍穹', category: 'books', tags: ['玄幻', '网络小说'], price: 100, currency: 'CNY', attributes: { author: '天蚕土豆' }, description: '少年萧炎的修炼之路' },
            { id: 'tshirt-a', title: 'T恤衫A', category: 'clothing', subCategories: ['t-shirts'], tags: ['纯棉'], price: 59, currency: 'CNY' },
          ],
        },
      },
      en: {
        summary: 'Clothing and electronics (English titles)',
        value: {
          items: [
            { id: 'tshirt-b', title: 'T-shirt B, slim fit', category: 'clothing', subCategories: ['t-shirts'], price: 19.9, currency: 'USD', attributes: { sizes: ['S', 'M', 'L'] } },
            { id: 'earbuds-1', title: 'Wireless earbuds', category: 'electronics', tags: ['bluetooth'], price: 49, currency: 'USD', available: false },
          ],
        },
      },
    },
  })
  @ApiErrors(400, 401, 403, 413)
  upsertRecItems(@CurrentProject() project: string, @Body() body: UpsertItemsDto): Promise<UpsertItemsResultDto> {
    return this.catalog.upsert(project, body.items);
  }

  /** Creates or replaces one item. */
  @Put(':id')
  @AdminOnly()
  @ApiBody({
    type: ItemBodyDto,
    examples: {
      zh: { summary: '《斗破苍穹》，100 元', value: { title: '斗破苍穹', category: 'books', tags: ['玄幻'], price: 100, currency: 'CNY', description: '天蚕土豆著，玄幻小说' } },
      en: { summary: 'A T-shirt, out of stock', value: { title: 'T-shirt A (cotton)', category: 'clothing', subCategories: ['t-shirts'], price: 9.9, currency: 'USD', available: false } },
    },
  })
  @ApiErrors(400, 401, 403)
  async putRecItem(@CurrentProject() project: string, @Param('id') id: string, @Body() body: ItemBodyDto): Promise<UpsertItemsResultDto> {
    return this.catalog.upsert(project, [{ ...body, id }]);
  }

  /** The project's items by id, optionally of one category. */
  @Get()
  @ApiErrors(400, 401)
  listRecItems(@CurrentProject() project: string, @Query() q: ItemListQueryDto): Promise<ItemListDto> {
    return this.catalog.list(project, q.category, q.limit ?? 50, q.offset ?? 0);
  }

  /** One item; another project's item is a 404. */
  @Get(':id')
  @ApiErrors(401, 404)
  getRecItem(@CurrentProject() project: string, @Param('id') id: string): Promise<ItemDto> {
    return this.catalog.get(project, id);
  }

  /** Deletes an item and its events. */
  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  async deleteRecItem(@CurrentProject() project: string, @Param('id') id: string): Promise<void> {
    await this.catalog.remove(project, id);
  }

  /** Items like this one: neighbours in the active model (ItemKNN, else EASE), or content similarity of the texts for an item the model has not seen. */
  @Get(':id/similar')
  @ApiErrors(400, 401, 404)
  similarRecItems(@CurrentProject() project: string, @Param('id') id: string, @Query() q: SimilarQueryDto): Promise<SimilarItemsDto> {
    return this.recommend.similar(project, id, q.k);
  }
}
